import { createContext } from 'react';

/**
 * Lets an edge's label select its edge: the label is HTML above the canvas,
 * so a click on it does not reach React Flow's own edge click handling.
 */
export const SelectEdgeContext = createContext<(edgeId: string) => void>(() => {});
