/** Reading a file the official picked (mail attachments, a new dossier's scanned papers) into base64 for staging. */
import { bytesToBase64 } from '../mail/compose';

export function readFileBase64(file: File, onProgress: (fraction: number) => void = () => undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.onload = () => {
      const result = reader.result;
      if (result instanceof ArrayBuffer) resolve(bytesToBase64(new Uint8Array(result)));
      else reject(new Error('unexpected reader result'));
    };
    reader.readAsArrayBuffer(file);
  });
}
