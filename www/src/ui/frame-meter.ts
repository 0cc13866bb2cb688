// A small frame-time meter shown while lanes run: the page thread does no heavy work, and this
// shows it (a long frame would mean jank).
import { byId } from './dom';

export class FrameMeter {
  private readonly out = byId<HTMLParagraphElement>('frame-meter');
  private handle = 0;
  private worst = 0;

  start(): void {
    this.stop();
    this.worst = 0;
    this.out.hidden = false;
    let last = performance.now();
    let shown = last;
    const tick = (now: number) => {
      this.worst = Math.max(this.worst, now - last);
      last = now;
      if (now - shown > 250) {
        this.out.textContent = `page frame time: worst ${this.worst.toFixed(0)} ms`;
        shown = now;
      }
      this.handle = requestAnimationFrame(tick);
    };
    this.handle = requestAnimationFrame(tick);
  }

  stop(): void {
    if (!this.handle) return;
    cancelAnimationFrame(this.handle);
    this.handle = 0;
    this.out.textContent = `page frame time during the run: worst ${this.worst.toFixed(0)} ms`;
  }
}
