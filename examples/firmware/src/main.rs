//! Firmware that normalizes a number typed on a keypad, with no allocator.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use panic_halt as _;

#[entry]
fn main() -> ! {
    // `black_box` stands in for input read from a peripheral, so nothing is folded away.
    let typed = black_box("020 7946 0958");
    let region = black_box("GB").parse().ok();
    let number = phonetoken::parse(typed, region);
    black_box(&number);
    loop {
        core::hint::spin_loop();
    }
}
