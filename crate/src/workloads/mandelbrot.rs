//! A `size`×`size` Mandelbrot image, one band of rows per task. Rows near the set's interior cost
//! up to [`MAX_ITER`] iterations a pixel and rows outside it almost none: uneven tasks that
//! reward dynamic scheduling.

use super::{count, fold, mix, number, of_finished, split, Cost, Kernel, Progress, Size, Step};
use crate::spec::Spec;

pub const MAX_ITER: u32 = 255;

pub struct Mandelbrot;

/// One pixel averaged over the image (escape loop up to `MAX_ITER`), on the time budget's
/// reference machine: the mean does not depend on the size (natively the same from 200 to
/// 4096 pixels a side).
const NS_PER_PIXEL: f64 = 230.0;

impl Kernel for Mandelbrot {
    fn size(&self) -> Size {
        Size {
            min: 8,
            max: 4096,
            default: 800,
            meaning: "image side in pixels",
        }
    }

    fn split(&self) -> super::Split {
        super::Split::Units
    }

    fn start<'a>(&self, spec: &Spec, index: u32, _data: &'a [u8]) -> Box<dyn Step + 'a> {
        let (lo, hi) = split(spec.size, spec.tasks, index);
        Box::new(Band::new(spec.size, lo, hi))
    }

    fn cost(&self, spec: &Spec, index: u32) -> Cost {
        let (lo, hi) = split(spec.size, spec.tasks, index);
        let pixels = f64::from(hi - lo) * f64::from(spec.size);
        Cost {
            units: pixels,
            compute_ms: pixels * NS_PER_PIXEL / 1e6,
            result_bytes: pixels,
            ..Cost::default()
        }
    }

    fn warm_up(&self, spec: &mut Spec) {
        spec.size = spec.size.min(160);
        spec.tasks = spec.tasks.min(160);
    }

    fn describe(&self, spec: &Spec, on: &str) -> String {
        let side = number(spec.size.into());
        format!(
            "Draw a {side} × {side} Mandelbrot image in {} {on}.",
            count(spec.tasks.into(), "band")
        )
    }

    fn result(&self, spec: &Spec, checksum: &str, done: u32) -> String {
        let side = number(spec.size.into());
        format!(
            "drew the same {side} × {side} image{} (escape counts' digest {checksum})",
            of_finished(spec, done)
        )
    }

    fn example(&self) -> &'static [(&'static str, super::Example)] {
        use super::Example::Number;
        &[("size", Number(64.0))]
    }

    /// Every row's hash, pixel by pixel, whatever the bands.
    fn oracle(&self, spec: &Spec, _data: &[u8]) -> u64 {
        fold((0..spec.size).map(|y| {
            let row: Vec<u8> = (0..spec.size).map(|x| escape(spec.size, x, y)).collect();
            row_hash(y, &row)
        }))
    }
}

pub struct Band {
    size: u32,
    first_row: u32,
    rows: u32,
    /// Pixels done so far, row-major; each pixel is its escape iteration count.
    pixels: Vec<u8>,
    sum: u64,
}

impl Band {
    pub fn new(size: u32, first_row: u32, end_row: u32) -> Self {
        let rows = end_row - first_row;
        Band {
            size,
            first_row,
            rows,
            pixels: Vec::with_capacity((rows * size) as usize),
            sum: 0,
        }
    }
}

impl Step for Band {
    /// The band's pixels so far (the page paints them as the image fills in).
    fn pixels(&self) -> Option<&[u8]> {
        Some(&self.pixels)
    }

    fn advance(&mut self, budget: u64) -> Progress {
        let total = u64::from(self.rows) * u64::from(self.size);
        let mut left = budget;
        while (self.pixels.len() as u64) < total && left > 0 {
            let done = self.pixels.len() as u32;
            let (row, col) = (done / self.size, done % self.size);
            let y = self.first_row + row;
            let run = (self.size - col).min(left.min(u64::from(u32::MAX)) as u32);
            for x in col..col + run {
                self.pixels.push(escape(self.size, x, y));
            }
            left -= u64::from(run);
            if col + run == self.size {
                let start = (row * self.size) as usize;
                self.sum = self
                    .sum
                    .wrapping_add(row_hash(y, &self.pixels[start..start + self.size as usize]));
            }
        }
        if self.pixels.len() as u64 == total {
            Progress::Done(self.sum)
        } else {
            Progress::Working
        }
    }
}

/// Escape iteration count of pixel (x, y) over the region [-2, 0.5] × [-1.25, 1.25].
fn escape(size: u32, x: u32, y: u32) -> u8 {
    let scale = 2.5 / f64::from(size);
    let cr = -2.0 + (f64::from(x) + 0.5) * scale;
    let ci = -1.25 + (f64::from(y) + 0.5) * scale;
    let (mut zr, mut zi) = (0.0f64, 0.0f64);
    let mut i = 0;
    while i < MAX_ITER {
        let (zr2, zi2) = (zr * zr, zi * zi);
        if zr2 + zi2 > 4.0 {
            break;
        }
        zi = 2.0 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        i += 1;
    }
    i as u8
}

/// FNV-1a over a row, tied to the row's index so that equal rows in other places differ.
pub fn row_hash(row: u32, pixels: &[u8]) -> u64 {
    let h = pixels.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &p| {
        (h ^ u64::from(p)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    mix(u64::from(row), h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::{run_to_end, spec, task, Workload};

    #[test]
    fn known_points() {
        // The centre of the main cardioid never escapes; the far corner escapes at once.
        assert_eq!(escape(4, 2, 2), MAX_ITER as u8);
        assert_eq!(escape(1000, 0, 0), 1);
    }

    #[test]
    fn image_is_symmetric_about_the_real_axis() {
        let size = 64;
        let mut band = Band::new(size, 0, size);
        while band.advance(100) == Progress::Working {}
        let px = band.pixels().unwrap();
        for y in 0..size as usize {
            let mirror = size as usize - 1 - y;
            assert_eq!(
                &px[y * size as usize..(y + 1) * size as usize],
                &px[mirror * size as usize..(mirror + 1) * size as usize]
            );
        }
    }

    #[test]
    fn checksum_does_not_depend_on_task_count() {
        let one = spec(Workload::Mandelbrot, 120, 1);
        let many = spec(Workload::Mandelbrot, 120, 120);
        let a = run_to_end(&one, 0, &[]);
        let b = fold((0..120).map(|i| run_to_end(&many, i, &[])));
        assert_eq!(a, b);
        let mut t = task(&many, 3, &[]);
        assert_eq!(t.advance(119), Progress::Working);
    }
}
