export { default } from '../../tools/tsup.package-config';
