export { default } from '../../tools/vitest.plugin-config';
