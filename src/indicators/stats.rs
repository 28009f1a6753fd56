//! Small statistics, written out so each formula can be checked against SPEC §6.

/// z for a two-sided 95 % interval (SPEC §6).
pub const Z95: f64 = 1.959963984540054;

/// `part / whole`, `None` when `whole` is 0.
pub fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Sample standard deviation (n − 1); `None` below two values.
pub fn sample_sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / (values.len() - 1) as f64).sqrt())
}

/// Median; the mean of the two middle values for an even count.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 { sorted[mid] } else { (sorted[mid - 1] + sorted[mid]) / 2.0 })
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

/// Net Promoter Score: 100 × (share 9–10 − share 0–6).
pub fn nps(scores: &[u8]) -> Option<f64> {
    if scores.is_empty() {
        return None;
    }
    let n = scores.len() as f64;
    let promoters = scores.iter().filter(|&&s| s >= 9).count() as f64;
    let detractors = scores.iter().filter(|&&s| s <= 6).count() as f64;
    Some(100.0 * (promoters / n - detractors / n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn sd_of_one_value_is_undefined() {
        assert_eq!(sample_sd(&[4.0]), None);
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum 32, 32/7.
        assert!(close(sample_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap(), (32.0f64 / 7.0).sqrt()));
    }

    #[test]
    fn median_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
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
        assert_eq!(nps(&[10, 9, 9]), Some(100.0));
        assert_eq!(nps(&[0, 6, 3]), Some(-100.0));
        assert_eq!(nps(&[7, 8]), Some(0.0));
        // 2 promoters, 1 detractor, 1 passive of 4: 100 × (0.5 − 0.25) = 25.
        assert_eq!(nps(&[10, 9, 5, 8]), Some(25.0));
        assert_eq!(nps(&[]), None);
    }
}
