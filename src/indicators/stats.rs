//! Small statistics, written out so each formula can be checked against SPEC §6.

/// z for a two-sided 95 % interval (SPEC §6).
pub const Z95: f64 = 1.959963984540054;

/// `part / whole`, `None` when `whole` is 0.
pub fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

// Answers arrive counted: `counts[v]` is how many answers had the value `v`.

/// The number of answers counted.
pub fn answered(counts: &[u64]) -> usize {
    counts.iter().sum::<u64>() as usize
}

/// Mean of the counted values.
pub fn mean(counts: &[u64]) -> Option<f64> {
    let n = answered(counts);
    let sum: u64 = counts.iter().enumerate().map(|(v, c)| v as u64 * c).sum();
    (n > 0).then(|| sum as f64 / n as f64)
}

/// Sample standard deviation (n − 1); `None` below two values. The sum of squared
/// deviations is taken exactly in integers, n·Σv² − (Σv)² over n, so the only
/// rounding is in the last division and square root.
pub fn sample_sd(counts: &[u64]) -> Option<f64> {
    let n = answered(counts) as u128;
    if n < 2 {
        return None;
    }
    let (sum, squares) = counts
        .iter()
        .enumerate()
        .fold((0u128, 0u128), |(s, q), (v, &c)| (s + v as u128 * c as u128, q + (v * v) as u128 * c as u128));
    let scaled = n * squares - sum * sum;
    Some((scaled as f64 / (n * (n - 1)) as f64).sqrt())
}

/// Median; the mean of the two middle values for an even count.
pub fn median(counts: &[u64]) -> Option<f64> {
    let n = answered(counts) as u64;
    if n == 0 {
        return None;
    }
    // The value at 0-based position `k` in sorted order.
    let at = |k: u64| {
        let mut seen = 0;
        counts.iter().position(|&c| {
            seen += c;
            seen > k
        })
    };
    let (low, high) = (at((n - 1) / 2)?, at(n / 2)?);
    Some((low + high) as f64 / 2.0)
}

/// Wilson score interval for a share `p` over `n` answers.
pub fn wilson(p: f64, n: usize) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    Some((centre - half, centre + half))
}

/// Net Promoter Score: 100 × (share 9–10 − share 0–6), from counts per score.
pub fn nps(counts: &[u64; 11]) -> Option<f64> {
    let n = answered(counts);
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let promoters = (counts[9] + counts[10]) as f64;
    let detractors = counts[..=6].iter().sum::<u64>() as f64;
    Some(100.0 * (promoters / n - detractors / n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// Counts per value of `values`.
    fn counts(values: &[usize]) -> [u64; 11] {
        let mut counts = [0; 11];
        values.iter().for_each(|&v| counts[v] += 1);
        counts
    }

    #[test]
    fn sd_of_one_value_is_undefined() {
        assert_eq!(sample_sd(&counts(&[4])), None);
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum 32, 32/7.
        assert!(close(sample_sd(&counts(&[2, 4, 4, 4, 5, 5, 7, 9])).unwrap(), (32.0f64 / 7.0).sqrt()));
    }

    #[test]
    fn mean_of_counts() {
        // 2, 4, 4, 4, 5, 5, 7, 9: sum 40 over 8.
        assert_eq!(mean(&counts(&[2, 4, 4, 4, 5, 5, 7, 9])), Some(5.0));
        assert_eq!(mean(&counts(&[])), None);
    }

    #[test]
    fn median_odd_and_even() {
        assert_eq!(median(&counts(&[5, 5, 1, 1, 1])), Some(1.0));
        assert_eq!(median(&counts(&[0, 10])), Some(5.0));
        assert_eq!(median(&counts(&[3, 1, 2])), Some(2.0));
        assert_eq!(median(&counts(&[4, 1, 2, 3])), Some(2.5));
        assert_eq!(median(&counts(&[])), None);
    }

    #[test]
    fn wilson_at_the_bounds() {
        // p = 0, n = 10: centre = (z²/20)/(1+z²/10) = half, so the low end is 0.
        let (low, high) = wilson(0.0, 10).unwrap();
        let z2 = Z95 * Z95;
        assert!(low.abs() < 1e-15);
        assert!(close(high, 2.0 * (z2 / 20.0) / (1.0 + z2 / 10.0)));
        // p = 1 mirrors p = 0.
        let (low1, high1) = wilson(1.0, 10).unwrap();
        assert!(close(high1, 1.0));
        assert!(close(low1, 1.0 - high));
        // p = 0.5, n = 4: centre 0.5, half = z·√(1/16 + z²/64)/(1 + z²/4).
        let (l, h) = wilson(0.5, 4).unwrap();
        let half = Z95 * (1.0f64 / 16.0 + z2 / 64.0).sqrt() / (1.0 + z2 / 4.0);
        assert!(close(l, 0.5 - half) && close(h, 0.5 + half));
    }

    #[test]
    fn nps_bounds() {
        assert_eq!(nps(&counts(&[10, 9, 9])), Some(100.0));
        assert_eq!(nps(&counts(&[0, 6, 3])), Some(-100.0));
        assert_eq!(nps(&counts(&[7, 8])), Some(0.0));
        // 2 promoters, 1 detractor, 1 passive of 4: 100 × (0.5 − 0.25) = 25.
        assert_eq!(nps(&counts(&[10, 9, 5, 8])), Some(25.0));
        assert_eq!(nps(&counts(&[])), None);
    }
}
