/** What a browser is told of a terminal: enough to show its tab. */
export interface TerminalInfo {
  id: string;
  node: string;
  title: string;
  /** false once its process ended (a ping terminal keeps its output). */
  alive: boolean;
}
