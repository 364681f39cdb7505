// QR codes drawn on a canvas, dark modules on white with a quiet zone: the wall's join link, the device setup links
// of the admin screens and the address of a laptop that runs the event's server.

import qrcode from 'qrcode-generator';

/** Draws `text` as a QR code onto `canvas`, about `size` pixels wide. Throws when the text is too long for one. */
export function drawQr(canvas: HTMLCanvasElement, text: string, size: number, quiet = 3): void {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const count = qr.getModuleCount();
  const cell = Math.max(2, Math.floor(size / (count + 2 * quiet)));
  const px = (count + 2 * quiet) * cell;
  canvas.width = canvas.height = px;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, px, px);
  ctx.fillStyle = '#0a0f24';
  for (let r = 0; r < count; r++)
    for (let c = 0; c < count; c++) if (qr.isDark(r, c)) ctx.fillRect((c + quiet) * cell, (r + quiet) * cell, cell, cell);
}

/** A new canvas (class `qr-canvas`) with the QR code of `text`. */
export function qrCanvas(text: string, size = 220): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = 'qr-canvas';
  canvas.setAttribute('role', 'img');
  drawQr(canvas, text, size);
  return canvas;
}
