/**
 * How the page is laid out, as the teacher left it: presentation mode, which
 * panels show, the mini map. Kept in the browser (localStorage), so the
 * projector's browser opens the way it was last set up.
 */
import { create } from 'zustand';
import { persist } from 'zustand/middleware';

/** Below this width the side panel starts folded (it opens with a selection). */
export const NARROW_PX = 1000;

export interface ViewState {
  /** Large type, panels folded away, a bigger terminal font: for the back of the room. */
  presenting: boolean;
  sideOpen: boolean;
  bottomOpen: boolean;
  minimap: boolean;
  /** The panels as they were before presenting. */
  before: { sideOpen: boolean; minimap: boolean } | null;
  /** The keyboard help overlay. */
  helpOpen: boolean;
  togglePresenting(): void;
  toggleSide(): void;
  toggleBottom(): void;
  toggleMinimap(): void;
  setHelp(open: boolean): void;
  /** Opens the bottom panel (a terminal or the packets were asked for). */
  showBottom(): void;
  showSide(): void;
  hideSide(): void;
}

export const useView = create<ViewState>()(
  persist(
    (set) => ({
      presenting: false,
      // A narrow window (a 1280 projector at 150% zoom is 853 px) starts with the diagram, not the inspector.
      sideOpen: typeof window === 'undefined' || window.innerWidth >= NARROW_PX,
      bottomOpen: true,
      minimap: true,
      helpOpen: false,
      before: null,
      // Presenting folds the side panel and the mini map away; leaving puts them back as they were.
      togglePresenting: () =>
        set((s) =>
          s.presenting
            ? { presenting: false, sideOpen: s.before?.sideOpen ?? true, minimap: s.before?.minimap ?? true, before: null }
            : { presenting: true, sideOpen: false, minimap: false, before: { sideOpen: s.sideOpen, minimap: s.minimap } },
        ),
      toggleSide: () => set((s) => ({ sideOpen: !s.sideOpen })),
      toggleBottom: () => set((s) => ({ bottomOpen: !s.bottomOpen })),
      toggleMinimap: () => set((s) => ({ minimap: !s.minimap })),
      setHelp: (helpOpen) => set({ helpOpen }),
      showBottom: () => set({ bottomOpen: true }),
      showSide: () => set({ sideOpen: true }),
      hideSide: () => set({ sideOpen: false }),
    }),
    {
      name: 'vethlab.view',
      partialize: (s) => ({ presenting: s.presenting, sideOpen: s.sideOpen, bottomOpen: s.bottomOpen, minimap: s.minimap, before: s.before }),
    },
  ),
);
