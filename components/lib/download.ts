/** Saves text or bytes as a file through the browser's download. */
export function downloadText(fileName: string, text: string, type: string): void {
  save(fileName, new Blob([text], { type }));
}

export function downloadBytes(fileName: string, bytes: ArrayBuffer, type: string): void {
  save(fileName, new Blob([bytes], { type }));
}

function save(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  downloadUrl(fileName, url);
  // Revoked later: some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves what a URL (a blob: or data: URL) holds as a file. */
export function downloadUrl(fileName: string, url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
