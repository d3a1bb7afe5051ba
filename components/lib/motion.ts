/**
 * Whether the system asks for reduced motion (prefers-reduced-motion: an
 * operating system's accessibility setting, or a browser's). The page then
 * moves nothing on its own that it can show still: the diagram refits at
 * once, a terminal's cursor does not blink, and the CSS stops the moving
 * dashes on a cable with traffic (they stay, still). Packets' dots still fly:
 * they are what the page is there to show.
 */
export function prefersReducedMotion(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}
