/**
 * What an empty lab says in the middle of its canvas: the first thing to do,
 * which depends on who is looking and why. A student in a lesson types its
 * commands in the Lab terminal, whose toolbar button is folded into the ⋯
 * menu at 1280 px, so the note offers it; a view link cannot add anything.
 */
export interface EmptyNote {
  title: string;
  text: string;
  /** A button under the words. */
  action?: { label: string; run(): void };
}

/** `openLabTerminal`: given when a lesson runs in a lab machine, whose root shell is where its commands go. */
export function emptyNoteFor(readOnly: boolean, openLabTerminal?: () => void): EmptyNote {
  if (readOnly) return { title: 'This lab is empty', text: 'What its owner builds appears here as they build it.' };
  if (openLabTerminal) {
    return {
      title: "Type the lesson's commands in the Lab terminal",
      text: 'Or build it with the mouse: the diagram draws what the kernel has, either way.',
      action: { label: 'Open the Lab terminal', run: openLabTerminal },
    };
  }
  return { title: 'Add a namespace or load an example', text: "Then drag from a node's ● handle to another node to connect them with a veth pair." };
}
