// The image filling in, for a workload whose tasks draw one (the schema's `image`: Mandelbrot):
// each band a process finishes is painted (processes return their pixels; the other lanes keep
// theirs in their own memory). Bands are painted once a frame, a pixel a word, as they arrive
// only where a core is left over for the page: on a machine with no core to spare, painting
// 640,000 pixels during the run took a core from the processes (1.61x sequential without it,
// 1.44x with it, mandelbrot 800 on 2 cores) and charged them a cost no other lane pays, so the
// bands are painted when the lane ends.
import type { Workload } from '../types';
import { workloadInfo } from '../wasm';
import { byId } from './dom';

/** Escape count → colour as one RGBA word: the set itself black, the outside a blue-to-gold ramp. */
function palette(): Uint32Array {
  const bytes = new Uint8ClampedArray(256 * 4);
  for (let n = 0; n < 256; n++) {
    const t = Math.sqrt(n / 254);
    const inside = n === 255;
    bytes.set(inside ? [0, 0, 0, 255] : [20 + 235 * t, 40 + 170 * t, 120 + 20 * (1 - t), 255], n * 4);
  }
  return new Uint32Array(bytes.buffer);
}

export class MandelbrotView {
  private readonly figure = byId('mandelbrot-figure');
  private readonly canvas = byId<HTMLCanvasElement>('mandelbrot');
  private readonly lut = palette();
  private size = 0;
  private bands: [number, Uint8Array][] = [];
  private frame = 0;
  private live = false;

  /** A new run of `workload` at `size`; `live`: paint bands as they arrive (a core is spare). */
  start(workload: Workload, size: number, live: boolean): void {
    this.figure.hidden = !workloadInfo(workload).image;
    this.size = size;
    this.bands = [];
    this.live = live;
    if (this.figure.hidden) return;
    this.canvas.width = size;
    this.canvas.height = size;
    this.canvas.getContext('2d')?.clearRect(0, 0, size, size);
  }

  paint(firstRow: number, pixels: Uint8Array): void {
    this.bands.push([firstRow, pixels]);
    if (this.live) this.frame ||= requestAnimationFrame(() => this.flush());
  }

  /** A lane ended: the bands it returned and are not painted yet. */
  finish(): void {
    if (this.bands.length > 0) this.frame ||= requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = 0;
    const ctx = this.canvas.getContext('2d');
    const bands = this.bands;
    this.bands = [];
    if (!ctx) return;
    for (const [firstRow, pixels] of bands) {
      const rows = pixels.length / this.size;
      if (!Number.isInteger(rows) || rows === 0) continue;
      const image = ctx.createImageData(this.size, rows);
      const words = new Uint32Array(image.data.buffer);
      for (let i = 0; i < pixels.length; i++) words[i] = this.lut[pixels[i]];
      ctx.putImageData(image, 0, firstRow);
    }
  }
}
