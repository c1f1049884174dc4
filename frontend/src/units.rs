//! Credits and money as the dashboard reads and writes them.
//!
//! Everything stays an integer: user input is parsed as a decimal string into
//! seconds or cents, and amounts are formatted with integer arithmetic, so
//! "2.5" is exactly 150 seconds and "19.99" exactly 1999 cents. (Balances are
//! shown with `shared::api::minutes`, the format the API documents.)

pub use shared::api::minutes;

/// Why a decimal string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalError {
    Empty,
    /// Not a number (letters, a comma, two dots, a sign where none is allowed…).
    Invalid,
    /// More decimals than allowed.
    TooManyDecimals,
    /// Too large to store.
    TooLarge,
}

/// A parsed decimal: `negative`, the integer part and the fraction scaled to
/// `decimals` digits ("2.5" with 2 decimals → (false, 2, 50)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    whole: i64,
    frac: i64,
}

/// Parses `[+-]digits[.digits]` (either side of the dot may be empty, not
/// both) with at most `decimals` digits after the dot. Surrounding
/// whitespace is ignored; anything else (exponents, commas, spaces inside) is
/// refused.
fn parse_decimal(input: &str, decimals: u32, allow_sign: bool) -> Result<Decimal, DecimalError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DecimalError::Empty);
    }
    let (negative, rest) = match s.as_bytes()[0] {
        b'-' if allow_sign => (true, &s[1..]),
        b'+' if allow_sign => (false, &s[1..]),
        _ => (false, s),
    };
    let (whole_str, frac_str) = match rest.split_once('.') {
        Some((w, f)) => (w, f),
        None => (rest, ""),
    };
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (whole_str.is_empty() && frac_str.is_empty())
        || !all_digits(whole_str)
        || !all_digits(frac_str)
    {
        return Err(DecimalError::Invalid);
    }
    if frac_str.len() > decimals as usize {
        return Err(DecimalError::TooManyDecimals);
    }
    let mut whole: i64 = 0;
    for b in whole_str.bytes() {
        whole = whole
            .checked_mul(10)
            .and_then(|w| w.checked_add(i64::from(b - b'0')))
            .ok_or(DecimalError::TooLarge)?;
    }
    let mut frac: i64 = 0;
    for b in frac_str.bytes() {
        frac = frac * 10 + i64::from(b - b'0');
    }
    frac *= 10_i64.pow(decimals - frac_str.len() as u32);
    Ok(Decimal {
        negative,
        whole,
        frac,
    })
}

/// Seconds from minutes with at most one decimal: "2.5" → 150, "-1" → -60,
/// "0.1" → 6. `allow_negative` lets a leading `-` through (adjustments).
pub fn parse_minutes(input: &str, allow_negative: bool) -> Result<i64, DecimalError> {
    let d = parse_decimal(input, 1, allow_negative)?;
    // 1 minute = 60 s; one tenth of a minute = 6 s.
    let seconds = d
        .whole
        .checked_mul(60)
        .and_then(|s| s.checked_add(d.frac * 6))
        .ok_or(DecimalError::TooLarge)?;
    Ok(if d.negative { -seconds } else { seconds })
}

/// Cents from a price in dollars with at most two decimals: "25" → 2500,
/// "19.99" → 1999, "0.5" → 50. A leading `$` is allowed; signs are not.
pub fn parse_cents(input: &str) -> Result<i64, DecimalError> {
    let s = input.trim();
    let s = s.strip_prefix('$').unwrap_or(s);
    let d = parse_decimal(s, 2, false)?;
    d.whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(d.frac))
        .ok_or(DecimalError::TooLarge)
}

/// What to tell a person about a minutes field they got wrong.
pub fn minutes_error(e: DecimalError) -> &'static str {
    match e {
        DecimalError::Empty => "Enter a number of minutes.",
        DecimalError::Invalid => "Enter minutes as a number, e.g. 2.5.",
        DecimalError::TooManyDecimals => "Use at most one decimal, e.g. 2.5.",
        DecimalError::TooLarge => "That number is too large.",
    }
}

/// What to tell a person about a price field they got wrong.
pub fn price_error(e: DecimalError) -> &'static str {
    match e {
        DecimalError::Empty => "Enter a price.",
        DecimalError::Invalid => "Enter a price like 25.00.",
        DecimalError::TooManyDecimals => "Use at most two decimals (cents).",
        DecimalError::TooLarge => "That price is too large.",
    }
}

/// `a / b` rounded to the nearest integer, halves away from zero (`b > 0`).
fn div_round(a: i128, b: i128) -> i128 {
    let q = a / b;
    let r = a % b;
    if 2 * r.abs() >= b {
        q + a.signum()
    } else {
        q
    }
}

/// `units` as a decimal with `decimals` digits, e.g. (2550, 2) → "25.50".
fn fixed(units: i128, decimals: u32) -> String {
    let scale = 10_i128.pow(decimals);
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let scale = scale as u128;
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = decimals as usize
    )
}

/// `units` (cents at `decimals` = 2) with its currency: "$25.00" for usd,
/// "25.00 EUR" for anything else.
fn money_fixed(units: i128, decimals: u32, currency: &str) -> String {
    if currency.eq_ignore_ascii_case("usd") {
        if units < 0 {
            format!("-${}", fixed(-units, decimals))
        } else {
            format!("${}", fixed(units, decimals))
        }
    } else {
        format!(
            "{} {}",
            fixed(units, decimals),
            currency.to_ascii_uppercase()
        )
    }
}

/// A price: 2500, "usd" → "$25.00"; 2500, "eur" → "25.00 EUR".
pub fn fmt_money(cents: i64, currency: &str) -> String {
    money_fixed(i128::from(cents), 2, currency)
}

/// Price per minute of a pack: whole cents when exact ("$0.25"), otherwise
/// to a tenth of a cent ("$0.333"). `None` for a pack without seconds.
pub fn fmt_per_minute(price_cents: i64, seconds: i64, currency: &str) -> Option<String> {
    if seconds <= 0 {
        return None;
    }
    // Tenths of a cent per minute: cents * 10 * 60 / seconds.
    let mills = div_round(i128::from(price_cents) * 600, i128::from(seconds));
    Some(if mills % 10 == 0 {
        money_fixed(mills / 10, 2, currency)
    } else {
        money_fixed(mills, 3, currency)
    })
}

/// A pack's size: "100 minutes", "1 minute", or "2.5 min" when not whole.
pub fn fmt_pack_minutes(seconds: i64) -> String {
    if seconds % 60 == 0 {
        let m = seconds / 60;
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    } else {
        minutes(seconds)
    }
}

/// A ledger change with its sign: "+100.0 min", "-1.5 min", "0.0 min".
pub fn fmt_signed_minutes(seconds: i64) -> String {
    let text = minutes(seconds);
    if seconds > 0 && text != "0.0 min" {
        format!("+{text}")
    } else {
        text
    }
}

/// Seconds as the text of a minutes input: 6000 → "100", 90 → "1.5"
/// (rounded to a tenth when the seconds are not a multiple of 6).
pub fn minutes_input(seconds: i64) -> String {
    let tenths = div_round(i128::from(seconds), 6);
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        fixed(tenths, 1)
    }
}

/// Cents as the text of a price input: 2500 → "25.00".
pub fn price_input(cents: i64) -> String {
    fixed(i128::from(cents), 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_parse_exactly() {
        assert_eq!(parse_minutes("2.5", false), Ok(150));
        assert_eq!(parse_minutes(" 2.5 ", false), Ok(150));
        assert_eq!(parse_minutes("-1", true), Ok(-60));
        assert_eq!(parse_minutes("-0.1", true), Ok(-6));
        assert_eq!(parse_minutes("+3", true), Ok(180));
        assert_eq!(parse_minutes(".5", false), Ok(30));
        assert_eq!(parse_minutes("1.", false), Ok(60));
        assert_eq!(parse_minutes("0", false), Ok(0));
        assert_eq!(parse_minutes("100", false), Ok(6000));
        assert_eq!(parse_minutes("0.3", false), Ok(18));
        assert_eq!(
            parse_minutes("2.50", false),
            Err(DecimalError::TooManyDecimals)
        );
        assert_eq!(
            parse_minutes("1.25", true),
            Err(DecimalError::TooManyDecimals)
        );
        assert_eq!(parse_minutes("-1", false), Err(DecimalError::Invalid));
        assert_eq!(parse_minutes("", true), Err(DecimalError::Empty));
        assert_eq!(parse_minutes("  ", true), Err(DecimalError::Empty));
        assert_eq!(parse_minutes(".", true), Err(DecimalError::Invalid));
        assert_eq!(parse_minutes("-", true), Err(DecimalError::Invalid));
        assert_eq!(parse_minutes("1e3", true), Err(DecimalError::Invalid));
        assert_eq!(parse_minutes("2,5", true), Err(DecimalError::Invalid));
        assert_eq!(parse_minutes("1.2.3", true), Err(DecimalError::Invalid));
        assert_eq!(parse_minutes("--1", true), Err(DecimalError::Invalid));
        assert_eq!(parse_minutes("1 000", true), Err(DecimalError::Invalid));
        assert_eq!(
            parse_minutes("99999999999999999999", true),
            Err(DecimalError::TooLarge)
        );
        assert_eq!(
            parse_minutes("999999999999999999", true),
            Err(DecimalError::TooLarge)
        );
    }

    #[test]
    fn cents_parse_exactly() {
        assert_eq!(parse_cents("25"), Ok(2500));
        assert_eq!(parse_cents("25.00"), Ok(2500));
        assert_eq!(parse_cents("$19.99"), Ok(1999));
        assert_eq!(parse_cents("0.5"), Ok(50));
        assert_eq!(parse_cents("0.07"), Ok(7));
        assert_eq!(parse_cents("1.005"), Err(DecimalError::TooManyDecimals));
        assert_eq!(parse_cents("-5"), Err(DecimalError::Invalid));
        assert_eq!(parse_cents("abc"), Err(DecimalError::Invalid));
        assert_eq!(parse_cents(""), Err(DecimalError::Empty));
    }

    #[test]
    fn money_formats() {
        assert_eq!(fmt_money(2500, "usd"), "$25.00");
        assert_eq!(fmt_money(1999, "USD"), "$19.99");
        assert_eq!(fmt_money(5, "usd"), "$0.05");
        assert_eq!(fmt_money(-150, "usd"), "-$1.50");
        assert_eq!(fmt_money(2500, "eur"), "25.00 EUR");
        assert_eq!(fmt_per_minute(2500, 6000, "usd").as_deref(), Some("$0.25"));
        assert_eq!(fmt_per_minute(2000, 3600, "usd").as_deref(), Some("$0.333"));
        assert_eq!(fmt_per_minute(4500, 18000, "usd").as_deref(), Some("$0.15"));
        assert_eq!(fmt_per_minute(100, 0, "usd"), None);
        assert_eq!(price_input(2500), "25.00");
        assert_eq!(price_input(7), "0.07");
    }

    #[test]
    fn minutes_format() {
        assert_eq!(fmt_pack_minutes(6000), "100 minutes");
        assert_eq!(fmt_pack_minutes(60), "1 minute");
        assert_eq!(fmt_pack_minutes(90), "1.5 min");
        assert_eq!(fmt_signed_minutes(6000), "+100.0 min");
        assert_eq!(fmt_signed_minutes(-90), "-1.5 min");
        assert_eq!(fmt_signed_minutes(0), "0.0 min");
        assert_eq!(fmt_signed_minutes(2), "0.0 min");
        assert_eq!(minutes_input(6000), "100");
        assert_eq!(minutes_input(90), "1.5");
        assert_eq!(minutes_input(-90), "-1.5");
        assert_eq!(minutes_input(100), "1.7");
        assert_eq!(minutes_input(3), "0.1");
    }
}
