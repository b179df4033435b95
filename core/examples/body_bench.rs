//! A microbenchmark of `render_body` without Python: `cargo run --release --example body_bench`.
use std::time::Instant;

use edi_mesh_core::body::{render_body, Delims};

fn main() {
    let d = Delims { element: '*', component: ':', repetition: Some('^'), release: None };
    let texts: Vec<&str> = std::iter::repeat_n("N1*BY*ACME CORP*92*123456", 200).collect();
    for with_data in [false, true] {
        let mut best = f64::INFINITY;
        for _ in 0..20 {
            let t = Instant::now();
            for _ in 0..200 {
                std::hint::black_box(render_body(std::hint::black_box(&texts), &d, None, with_data));
            }
            best = best.min(t.elapsed().as_secs_f64() / 200.0);
        }
        println!("data={with_data}: {:.2} us/call, {:.0} ns/segment", best * 1e6, best * 1e9 / texts.len() as f64);
    }
}
