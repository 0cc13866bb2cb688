"""mandelbrot: a size x size image, one band of rows per task (crate/src/workloads/mandelbrot.rs).
A unit of work is one pixel; a band's partial hashes its rows."""

from .._constants import MANDELBROT_MAX_ITER
from ..common import DONE, FNV_OFFSET, FNV_PRIME, M64, WORKING, mix, split


def row_hash(row, pixels):
    """FNV-1a over a row, tied to the row's index so that equal rows in other places differ."""
    h = FNV_OFFSET
    for p in pixels:
        h = ((h ^ p) * FNV_PRIME) & M64
    return mix(row, h)


class Band:
    """Rows [first_row, end_row) of the image over [-2, 0.5] x [-1.25, 1.25]."""

    def __init__(self, size, first_row, end_row):
        self.size = size
        self.first_row = first_row
        self.rows = end_row - first_row
        # Each pixel is its escape iteration count, row-major.
        self.pixels = bytearray()
        self.sum = 0

    def advance(self, budget):
        size = self.size
        total = self.rows * size
        pixels = self.pixels
        max_iter = MANDELBROT_MAX_ITER
        left = budget
        scale = 2.5 / float(size)
        while len(pixels) < total and left > 0:
            row, col = divmod(len(pixels), size)
            y = self.first_row + row
            run = min(size - col, left)
            ci = -1.25 + (float(y) + 0.5) * scale
            for x in range(col, col + run):
                # Exactly the crate's escape(): the same operations in the same order, inlined
                # because a call per pixel would cost more than the pixel.
                cr = -2.0 + (float(x) + 0.5) * scale
                zr = 0.0
                zi = 0.0
                i = 0
                while i < max_iter:
                    zr2 = zr * zr
                    zi2 = zi * zi
                    if zr2 + zi2 > 4.0:
                        break
                    zi = 2.0 * zr * zi + ci
                    zr = zr2 - zi2 + cr
                    i += 1
                pixels.append(i)
            left -= run
            if col + run == size:
                start = row * size
                self.sum = (self.sum + row_hash(y, pixels[start : start + size])) & M64
        return (DONE, self.sum) if len(pixels) == total else (WORKING, None)


def start_mandelbrot(spec, index, data):
    return Band(spec["size"], *split(spec["size"], spec["tasks"], index))
