/**
 * Placeholder: replaced by the forward-op Conv2D / Conv2DBackpropInput gradients (see STACK.md §2).
 * Until then the stock gradients stay registered.
 */
export function registerConvGradients(): void {}
