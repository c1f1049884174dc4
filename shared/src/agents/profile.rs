//! The business profile: validation with per-field errors, and the plain
//! sentences (hours, closures, services) that the prompt and the knowledge
//! search are made of.

use crate::api::{AfterHours, BusinessProfile, OpeningPeriod, Weekday, E164};
use crate::error::Validator;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

pub const MAX_PERIODS: usize = 28;
pub const MAX_CLOSURES: usize = 100;
pub const MAX_SERVICES: usize = 100;
pub const MAX_FAQS: usize = 200;

/// "HH:MM" (24-hour) → time; `24:00` is the end of the day.
pub fn parse_clock(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) => NaiveTime::from_hms_opt(23, 59, 59),
        _ => NaiveTime::from_hms_opt(h, m, 0),
    }
}

/// An IANA time zone name.
pub fn parse_timezone(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

fn text_field(v: &mut Validator, field: &str, value: &str, max: usize) {
    v.check(
        value.chars().count() <= max,
        field,
        &format!("Use at most {max} characters."),
    );
}

/// Checks every field of the profile; errors are keyed by JSON path under
/// `prefix` (e.g. `profile.hours[2].close`).
pub fn validate(v: &mut Validator, prefix: &str, p: &BusinessProfile) {
    let f = |name: &str| format!("{prefix}.{name}");
    text_field(v, &f("business_name"), &p.business_name, 120);
    text_field(v, &f("description"), &p.description, 2000);
    text_field(v, &f("address"), &p.address, 300);
    text_field(v, &f("phone"), &p.phone, 40);
    v.check(
        parse_timezone(&p.timezone).is_some(),
        &f("timezone"),
        "Choose a time zone such as America/New_York.",
    );
    if !p.fallback_phone.trim().is_empty() {
        v.take(&f("fallback_phone"), E164::parse(&p.fallback_phone));
    }
    v.check(
        p.hours.len() <= MAX_PERIODS,
        &f("hours"),
        "That is too many opening periods.",
    );
    let mut parsed: Vec<(usize, Weekday, NaiveTime, NaiveTime)> = Vec::new();
    for (i, period) in p.hours.iter().enumerate() {
        let field = format!("{prefix}.hours[{i}]");
        let open = parse_clock(&period.open);
        let close = parse_clock(&period.close);
        v.check(
            open.is_some(),
            &format!("{field}.open"),
            "Use a time like 09:00.",
        );
        v.check(
            close.is_some(),
            &format!("{field}.close"),
            "Use a time like 17:30.",
        );
        if let (Some(open), Some(close)) = (open, close) {
            if close <= open {
                v.check(
                    false,
                    &format!("{field}.close"),
                    "Closing time must be after opening time.",
                );
            } else {
                parsed.push((i, period.day, open, close));
            }
        }
    }
    for (n, a) in parsed.iter().enumerate() {
        for b in &parsed[n + 1..] {
            if a.1 == b.1 && a.2 < b.3 && b.2 < a.3 {
                v.check(
                    false,
                    &format!("{prefix}.hours[{}].open", b.0),
                    &format!("This overlaps another period on {}.", b.1.name()),
                );
            }
        }
    }
    v.check(
        p.closures.len() <= MAX_CLOSURES,
        &f("closures"),
        "That is too many closures.",
    );
    for (i, c) in p.closures.iter().enumerate() {
        if let Some(end) = c.end_date {
            v.check(
                end >= c.date,
                &format!("{prefix}.closures[{i}].end_date"),
                "The last day cannot be before the first.",
            );
        }
        text_field(v, &format!("{prefix}.closures[{i}].reason"), &c.reason, 200);
    }
    v.check(
        p.services.len() <= MAX_SERVICES,
        &f("services"),
        "That is too many services.",
    );
    for (i, s) in p.services.iter().enumerate() {
        let field = format!("{prefix}.services[{i}]");
        v.check(
            !s.name.trim().is_empty(),
            &format!("{field}.name"),
            "Give the service a name.",
        );
        text_field(v, &format!("{field}.name"), &s.name, 120);
        text_field(v, &format!("{field}.price"), &s.price, 80);
        text_field(v, &format!("{field}.description"), &s.description, 1000);
        if let Some(minutes) = s.duration_minutes {
            v.check(
                (1..=24 * 60).contains(&minutes),
                &format!("{field}.duration_minutes"),
                "Use 1 to 1440 minutes, or leave it empty.",
            );
        }
    }
    v.check(
        p.faqs.len() <= MAX_FAQS,
        &f("faqs"),
        "That is too many questions.",
    );
    for (i, faq) in p.faqs.iter().enumerate() {
        let field = format!("{prefix}.faqs[{i}]");
        v.check(
            !faq.question.trim().is_empty(),
            &format!("{field}.question"),
            "Write the question.",
        );
        v.check(
            !faq.answer.trim().is_empty(),
            &format!("{field}.answer"),
            "Write the answer.",
        );
        text_field(v, &format!("{field}.question"), &faq.question, 300);
        text_field(v, &format!("{field}.answer"), &faq.answer, 2000);
    }
}

/// Trims every text of the profile and sorts the hours (day, then opening).
pub fn normalized(mut p: BusinessProfile) -> BusinessProfile {
    for s in [
        &mut p.business_name,
        &mut p.description,
        &mut p.address,
        &mut p.phone,
        &mut p.timezone,
        &mut p.fallback_phone,
    ] {
        *s = s.trim().to_string();
    }
    for h in &mut p.hours {
        h.open = h.open.trim().to_string();
        h.close = h.close.trim().to_string();
    }
    p.hours
        .sort_by(|a, b| (a.day, &a.open).cmp(&(b.day, &b.open)));
    for c in &mut p.closures {
        c.reason = c.reason.trim().to_string();
    }
    for s in &mut p.services {
        s.name = s.name.trim().to_string();
        s.price = s.price.trim().to_string();
        s.description = s.description.trim().to_string();
    }
    for f in &mut p.faqs {
        f.question = f.question.trim().to_string();
        f.answer = f.answer.trim().to_string();
    }
    p
}

fn weekday_of(day: chrono::Weekday) -> Weekday {
    match day {
        chrono::Weekday::Mon => Weekday::Mon,
        chrono::Weekday::Tue => Weekday::Tue,
        chrono::Weekday::Wed => Weekday::Wed,
        chrono::Weekday::Thu => Weekday::Thu,
        chrono::Weekday::Fri => Weekday::Fri,
        chrono::Weekday::Sat => Weekday::Sat,
        chrono::Weekday::Sun => Weekday::Sun,
    }
}

/// "Monday 09:00–12:00 and 13:00–17:00; …; Sunday closed".
pub fn hours_sentence(hours: &[OpeningPeriod]) -> String {
    if hours.is_empty() {
        return "Opening hours have not been set.".into();
    }
    Weekday::ALL
        .iter()
        .map(|day| {
            let periods: Vec<String> = hours
                .iter()
                .filter(|h| h.day == *day)
                .map(|h| format!("{}–{}", h.open, h.close))
                .collect();
            if periods.is_empty() {
                format!("{} closed", day.name())
            } else {
                format!("{} {}", day.name(), periods.join(" and "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Closures that end today or later, as one sentence (empty when none).
pub fn closures_sentence(p: &BusinessProfile, today: NaiveDate) -> String {
    p.closures
        .iter()
        .filter(|c| c.end_date.unwrap_or(c.date) >= today)
        .map(|c| {
            let when = match c.end_date {
                Some(end) if end != c.date => format!(
                    "from {} to {}",
                    c.date.format("%A %B %-d, %Y"),
                    end.format("%A %B %-d, %Y")
                ),
                _ => c.date.format("%A %B %-d, %Y").to_string(),
            };
            if c.reason.is_empty() {
                format!("closed {when}")
            } else {
                format!("closed {when} ({})", c.reason)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One line per service: name, duration, price, description.
pub fn service_line(s: &crate::api::Service) -> String {
    let mut line = s.name.clone();
    if let Some(m) = s.duration_minutes {
        line.push_str(&format!(", about {m} minutes"));
    }
    if !s.price.is_empty() {
        line.push_str(&format!(", price: {}", s.price));
    }
    if !s.description.is_empty() {
        line.push_str(&format!(" — {}", s.description));
    }
    line
}

/// Whether the business is open at `now`: by its weekly hours in its own
/// time zone, and not on a closure day.
pub fn is_open(p: &BusinessProfile, now: DateTime<Utc>) -> bool {
    let Some(tz) = parse_timezone(&p.timezone) else {
        return false;
    };
    let local = now.with_timezone(&tz);
    let today = local.date_naive();
    let closed_today = p
        .closures
        .iter()
        .any(|c| c.date <= today && today <= c.end_date.unwrap_or(c.date));
    if closed_today {
        return false;
    }
    let day = weekday_of(local.weekday());
    let time = local.time();
    p.hours.iter().any(|h| {
        h.day == day
            && matches!((parse_clock(&h.open), parse_clock(&h.close)),
                (Some(o), Some(c)) if o <= time && time < c)
    })
}

/// What the receptionist does after hours, in words for the prompt.
pub fn after_hours_rule(after: AfterHours) -> &'static str {
    match after {
        AfterHours::TakeMessage => {
            "Outside opening hours, answer questions and offer to take a message for the team."
        }
        AfterHours::AnswerOnly => {
            "Outside opening hours, answer questions only and suggest calling back during opening hours."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Closure, Faq, Service};
    use chrono::TimeZone;

    fn period(day: Weekday, open: &str, close: &str) -> OpeningPeriod {
        OpeningPeriod {
            day,
            open: open.into(),
            close: close.into(),
        }
    }

    fn valid() -> BusinessProfile {
        BusinessProfile {
            business_name: "Rosa's Salon".into(),
            timezone: "Europe/Paris".into(),
            hours: vec![
                period(Weekday::Mon, "09:00", "12:00"),
                period(Weekday::Mon, "13:00", "18:00"),
            ],
            ..Default::default()
        }
    }

    fn errors(p: &BusinessProfile) -> Vec<String> {
        let mut v = Validator::new();
        validate(&mut v, "profile", p);
        match v.finish() {
            Ok(()) => vec![],
            Err(crate::error::Error::Validation(f)) => f.into_keys().collect(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_complete_profile_is_valid() {
        assert_eq!(errors(&valid()), Vec::<String>::new());
    }

    #[test]
    fn an_unknown_time_zone_is_a_field_error() {
        let p = BusinessProfile {
            timezone: "Mars/Olympus".into(),
            ..valid()
        };
        assert_eq!(errors(&p), vec!["profile.timezone"]);
    }

    #[test]
    fn hours_that_end_before_they_start_or_overlap_are_field_errors() {
        let p = BusinessProfile {
            hours: vec![
                period(Weekday::Tue, "17:00", "09:00"),
                period(Weekday::Wed, "09:00", "13:00"),
                period(Weekday::Wed, "12:00", "18:00"),
                period(Weekday::Thu, "9am", "17:00"),
            ],
            ..valid()
        };
        assert_eq!(
            errors(&p),
            vec![
                "profile.hours[0].close",
                "profile.hours[2].open",
                "profile.hours[3].open"
            ]
        );
    }

    #[test]
    fn an_empty_faq_question_and_a_bad_fallback_number_are_field_errors() {
        let p = BusinessProfile {
            faqs: vec![Faq {
                question: "  ".into(),
                answer: "Yes".into(),
            }],
            fallback_phone: "555-1234".into(),
            services: vec![Service {
                name: "".into(),
                duration_minutes: Some(0),
                price: String::new(),
                description: String::new(),
            }],
            closures: vec![Closure {
                date: NaiveDate::from_ymd_opt(2026, 12, 26).unwrap(),
                end_date: NaiveDate::from_ymd_opt(2026, 12, 24),
                reason: String::new(),
            }],
            ..valid()
        };
        assert_eq!(
            errors(&p),
            vec![
                "profile.closures[0].end_date",
                "profile.fallback_phone",
                "profile.faqs[0].question",
                "profile.services[0].duration_minutes",
                "profile.services[0].name",
            ]
        );
    }

    #[test]
    fn open_now_follows_the_local_hours_lunch_breaks_and_closures() {
        let p = valid();
        // Monday 2026-11-30, Paris is UTC+1 in winter.
        let at = |h, m| Utc.with_ymd_and_hms(2026, 11, 30, h, m, 0).unwrap();
        assert!(is_open(&p, at(8, 30)), "09:30 in Paris");
        assert!(!is_open(&p, at(11, 30)), "12:30 lunch break");
        assert!(!is_open(&p, at(7, 59)), "08:59 not yet");
        let closed = BusinessProfile {
            closures: vec![Closure {
                date: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
                end_date: None,
                reason: "Staff training".into(),
            }],
            ..valid()
        };
        assert!(!is_open(&closed, at(8, 30)));
        assert_eq!(
            hours_sentence(&p.hours),
            "Monday 09:00–12:00 and 13:00–18:00; Tuesday closed; Wednesday closed; Thursday closed; Friday closed; Saturday closed; Sunday closed"
        );
    }
}
