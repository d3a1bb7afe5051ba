/**
 * The keys every inspector field answers the same way: Enter applies the
 * form, Escape puts the field back as the kernel has it (and goes no further:
 * the page's Escape would clear the selection).
 */
export function fieldKeys(apply: () => unknown, revert: () => void): (e: React.KeyboardEvent) => void {
  return (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void apply();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      revert();
    }
  };
}
