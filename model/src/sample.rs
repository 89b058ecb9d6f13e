//! Picking the next token from logits (host-side, not hardware): greedy, or a seeded draw with
//! temperature and top-k.

use crate::fixed::{Act, ONE};
use crate::rng::Rng;

/// How to choose the next token.
#[derive(Clone, Debug, PartialEq)]
pub enum Sampling {
    /// The arg-max (lowest index on ties).
    Greedy,
    /// Draw from `softmax(logit / temperature)` over the `top_k` largest logits
    /// (`top_k = 0`: all of them).
    Sample { temperature: f64, top_k: usize },
}

/// A sampling rule with its own seeded random stream.
pub struct Sampler {
    mode: Sampling,
    rng: Rng,
}

impl Sampler {
    pub fn new(mode: Sampling, seed: u64) -> Sampler {
        Sampler {
            mode,
            rng: Rng::derive(seed, &[0x5A3B_11E5]),
        }
    }

    pub fn greedy() -> Sampler {
        Sampler::new(Sampling::Greedy, 0)
    }

    pub fn pick(&mut self, logits: &[Act]) -> u32 {
        match self.mode {
            Sampling::Greedy => argmax(logits) as u32,
            Sampling::Sample { temperature, top_k } => {
                if temperature <= 0.0 {
                    return argmax(logits) as u32;
                }
                let mut order: Vec<usize> = (0..logits.len()).collect();
                // Largest first; ties by index so the order is fully determined.
                order.sort_unstable_by(|&a, &b| logits[b].cmp(&logits[a]).then(a.cmp(&b)));
                if top_k > 0 {
                    order.truncate(top_k);
                }
                let top = logits[order[0]] as f64;
                let weights: Vec<f64> = order
                    .iter()
                    .map(|&i| ((logits[i] as f64 - top) / ONE as f64 / temperature).exp())
                    .collect();
                let total: f64 = weights.iter().sum();
                let mut u = self.rng.next_f64() * total;
                for (&i, &w) in order.iter().zip(&weights) {
                    if u < w {
                        return i as u32;
                    }
                    u -= w;
                }
                *order.last().expect("non-empty vocabulary") as u32
            }
        }
    }
}

/// Index of the largest value, the lowest index on ties.
pub fn argmax<T: PartialOrd + Copy>(xs: &[T]) -> usize {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_takes_the_first_maximum() {
        assert_eq!(Sampler::greedy().pick(&[1, 5, 3, 5]), 1);
    }

    #[test]
    fn top_1_is_greedy_and_sampling_is_reproducible() {
        let logits: Vec<Act> = (0..50).map(|i| ((i * 37) % 50) * 1000).collect();
        let mut s = Sampler::new(
            Sampling::Sample {
                temperature: 1.0,
                top_k: 1,
            },
            3,
        );
        assert_eq!(s.pick(&logits) as usize, argmax(&logits));
        let draw = |seed| {
            let mut s = Sampler::new(
                Sampling::Sample {
                    temperature: 0.8,
                    top_k: 10,
                },
                seed,
            );
            (0..20).map(|_| s.pick(&logits)).collect::<Vec<_>>()
        };
        assert_eq!(draw(9), draw(9));
        assert_ne!(draw(9), draw(10));
    }

    #[test]
    fn top_k_never_leaves_the_k_best() {
        let logits: Vec<Act> = (0..100).map(|i| i * 100).collect();
        let mut s = Sampler::new(
            Sampling::Sample {
                temperature: 100.0,
                top_k: 3,
            },
            1,
        );
        for _ in 0..200 {
            assert!(s.pick(&logits) >= 97);
        }
    }
}
