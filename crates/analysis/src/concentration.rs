//! Concentration of cost: top-k shares, Gini coefficient, Lorenz curve. Pure functions over a
//! list of costs (all units of the population, zero-cost ones included).

use tvaers_core::Ore;

/// The k of the top-k shares (per cent of the population).
pub const TOP_KS: [u32; 4] = [1, 3, 5, 10];

/// ⌈k·n/100⌉: how many units make up the top k per cent.
pub fn top_count(k: u32, n: usize) -> usize {
    (k as usize * n).div_ceil(100)
}

/// Raw concentration figures for one population (before disclosure control).
#[derive(Debug, Clone, PartialEq)]
pub struct Concentration {
    /// Units in the population (N).
    pub n: usize,
    /// Σ of all costs.
    pub total: Ore,
    /// Costs sorted ascending (x_1 ≤ … ≤ x_N).
    pub ascending: Vec<i64>,
}

impl Concentration {
    pub fn new(costs: &[Ore]) -> Concentration {
        let mut ascending: Vec<i64> = costs.iter().map(|c| c.0).collect();
        ascending.sort_unstable();
        let total = Ore(ascending.iter().sum());
        Concentration {
            n: ascending.len(),
            total,
            ascending,
        }
    }

    /// Σ of the ⌈k·N/100⌉ largest costs.
    pub fn top_sum(&self, k: u32) -> Ore {
        let m = top_count(k, self.n);
        Ore(self.ascending[self.n - m..].iter().sum())
    }

    /// Σ of the ⌈k·N/100⌉ largest / Σ of all; `None` when the total is zero.
    pub fn top_share(&self, k: u32) -> Option<f64> {
        (self.total.0 != 0).then(|| self.top_sum(k).0 as f64 / self.total.0 as f64)
    }

    /// G = 2·Σ i·x_i / (N·Σx) − (N+1)/N over ascending x (i from 1), sums in i128;
    /// `None` when N = 0 or Σx = 0.
    pub fn gini(&self) -> Option<f64> {
        if self.n == 0 || self.total.0 == 0 {
            return None;
        }
        let weighted: i128 = self
            .ascending
            .iter()
            .enumerate()
            .map(|(i, &x)| (i as i128 + 1) * x as i128)
            .sum();
        let n = self.n as f64;
        Some(2.0 * weighted as f64 / (n * self.total.0 as f64) - (n + 1.0) / n)
    }

    /// Lorenz points `(i/N, Σ_{j≤i} x_j / Σx)` at the given cumulative counts `i`; empty when
    /// the total is zero.
    pub fn lorenz(&self, bounds: &[usize]) -> Vec<(f64, f64)> {
        if self.total.0 == 0 {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(bounds.len());
        let (mut acc, mut at) = (0i128, 0usize);
        for &b in bounds {
            acc += self.ascending[at..b]
                .iter()
                .map(|&x| x as i128)
                .sum::<i128>();
            at = b;
            out.push((b as f64 / self.n as f64, acc as f64 / self.total.0 as f64));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ore(v: &[i64]) -> Vec<Ore> {
        v.iter().map(|&x| Ore(x)).collect()
    }

    #[test]
    fn top_count_rounds_up() {
        assert_eq!(top_count(1, 1), 1);
        assert_eq!(top_count(1, 100), 1);
        assert_eq!(top_count(1, 101), 2);
        assert_eq!(top_count(10, 45), 5); // 4.5 → 5
        assert_eq!(top_count(3, 650_000), 19_500);
    }

    #[test]
    fn top_share_counts_zero_cost_units_in_n() {
        // 200 units, two of them with cost: top 1 % is ⌈2⌉ = 2 units = everything.
        let mut v = vec![0i64; 198];
        v.extend([300, 100]);
        let c = Concentration::new(&ore(&v));
        assert_eq!(c.top_share(1), Some(1.0));
        // 150 units: top 1 % is ⌈1.5⌉ = 2 units as well.
        let mut w = vec![0i64; 146];
        w.extend([100, 100, 100, 700]);
        let c = Concentration::new(&ore(&w));
        assert_eq!(top_count(1, 150), 2);
        assert_eq!(c.top_sum(1), Ore(800));
        assert_eq!(c.top_share(1), Some(0.8));
        // top 10 %: ⌈15⌉ = 15 units, the whole 1,000.
        assert_eq!(c.top_share(10), Some(1.0));
    }

    #[test]
    fn gini_of_equal_costs_is_zero_and_of_one_has_all_is_one_minus_one_over_n() {
        let eq = Concentration::new(&ore(&[250; 8]));
        assert!(eq.gini().unwrap().abs() < 1e-12);
        for n in [2usize, 5, 10, 1000] {
            let mut v = vec![0i64; n - 1];
            v.push(123_456);
            let g = Concentration::new(&ore(&v)).gini().unwrap();
            assert!((g - (1.0 - 1.0 / n as f64)).abs() < 1e-12, "n={n}: {g}");
        }
        assert_eq!(Concentration::new(&ore(&[0, 0])).gini(), None);
        assert_eq!(Concentration::new(&[]).gini(), None);
    }

    #[test]
    fn gini_hand_computed() {
        // x = 1, 2, 3, 4 (given unsorted): Σ i·x_i = 1+4+9+16 = 30, Σx = 10, N = 4;
        // G = 60/40 − 5/4 = 0.25.
        let g = Concentration::new(&ore(&[3, 1, 4, 2])).gini().unwrap();
        assert!((g - 0.25).abs() < 1e-12);
    }

    #[test]
    fn lorenz_points_accumulate_ascending_costs() {
        let c = Concentration::new(&ore(&[40, 0, 10, 0, 30, 20, 0, 0, 0, 0]));
        let pts = c.lorenz(&[5, 10]);
        assert_eq!(pts.len(), 2);
        assert!((pts[0].0 - 0.5).abs() < 1e-12);
        assert!(pts[0].1.abs() < 1e-12, "the lower half has no cost");
        assert_eq!(pts[1], (1.0, 1.0));
    }
}
