// The Mandelbrot image filling in: each band a process finishes is painted as its result
// arrives (processes return their pixels; the other lanes keep theirs in their own memory).
import { byId } from './dom';

/** Escape count → colour: the set itself black, the outside a blue-to-gold ramp. */
function palette(): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let n = 0; n < 256; n++) {
    const t = Math.sqrt(n / 254);
    const inside = n === 255;
    lut.set(inside ? [0, 0, 0, 255] : [20 + 235 * t, 40 + 170 * t, 120 + 20 * (1 - t), 255], n * 4);
  }
  return lut;
}

export class MandelbrotView {
  private readonly figure = byId('mandelbrot-figure');
  private readonly canvas = byId<HTMLCanvasElement>('mandelbrot');
  private readonly lut = palette();
  private size = 0;

  start(workload: string, size: number): void {
    this.figure.hidden = workload !== 'mandelbrot';
    this.size = size;
    if (this.figure.hidden) return;
    this.canvas.width = size;
    this.canvas.height = size;
    this.canvas.getContext('2d')?.clearRect(0, 0, size, size);
  }

  paint(firstRow: number, pixels: Uint8Array): void {
    const ctx = this.canvas.getContext('2d');
    const rows = pixels.length / this.size;
    if (!ctx || !Number.isInteger(rows) || rows === 0) return;
    const image = ctx.createImageData(this.size, rows);
    for (let i = 0; i < pixels.length; i++) image.data.set(this.lut.subarray(pixels[i] * 4, pixels[i] * 4 + 4), i * 4);
    ctx.putImageData(image, 0, firstRow);
  }
}
