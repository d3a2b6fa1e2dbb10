//! `invalid-cron`: a schedule whose cron expression QStash rejects.

use super::helpers::literal_strings;
use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::SendKind;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "invalid-cron",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Correctness,
    security_severity: None,
    summary: "a schedule's cron is not a valid 5-field cron expression",
    doc: include_str!("../../rules/invalid-cron.md"),
};

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day of month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
    },
    Field {
        name: "day of week",
        min: 0,
        max: 7,
        names: DAYS,
    },
];

fn value(field: &Field, s: &str) -> Result<u32, String> {
    if let Ok(n) = s.parse::<u32>() {
        if n < field.min || n > field.max {
            return Err(format!("`{s}` is out of range {}-{}", field.min, field.max));
        }
        return Ok(n);
    }
    let upper = s.to_ascii_uppercase();
    if let Some(i) = field.names.iter().position(|n| *n == upper) {
        // Month names count from 1, day names from 0: both from the field's minimum.
        return Ok(i as u32 + field.min);
    }
    Err(format!(
        "`{s}` is not a number{}",
        if field.names.is_empty() {
            ""
        } else {
            " or a name"
        }
    ))
}

fn item(field: &Field, item: &str) -> Result<(), String> {
    let (range, step) = match item.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (item, None),
    };
    if let Some(step) = step {
        match step.parse::<u32>() {
            Ok(n) if n > 0 && n <= field.max.max(1) => {}
            _ => {
                return Err(format!(
                    "step `{step}` is not a number from 1 to {}",
                    field.max
                ))
            }
        }
    }
    let day_field = field.name.starts_with("day");
    if range == "*" || (range == "?" && day_field) {
        return Ok(());
    }
    if range.is_empty() {
        return Err("an empty value".into());
    }
    match range.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (value(field, a)?, value(field, b)?);
            if a > b {
                return Err(format!("range `{range}` starts after it ends"));
            }
            Ok(())
        }
        None => value(field, range).map(|_| ()),
    }
}

/// Checks a cron expression; the error names the bad field.
pub fn validate(expr: &str) -> Result<(), String> {
    let mut rest = expr.trim();
    if let Some(tz) = rest
        .strip_prefix("CRON_TZ=")
        .or_else(|| rest.strip_prefix("TZ="))
    {
        let (zone, after) = tz.split_once(char::is_whitespace).unwrap_or((tz, ""));
        if !is_zone_shaped(zone) {
            return Err(format!("`{zone}` is not an IANA time zone"));
        }
        rest = after.trim();
    }
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected 5 fields (minute hour day-of-month month day-of-week), found {}",
            fields.len()
        ));
    }
    for (i, (text, field)) in fields.iter().zip(FIELDS.iter()).enumerate() {
        for part in text.split(',') {
            item(field, part).map_err(|e| format!("field {} ({}): {e}", i + 1, field.name))?;
        }
    }
    Ok(())
}

fn is_zone_shaped(zone: &str) -> bool {
    if matches!(zone, "UTC" | "GMT" | "Local") {
        return true;
    }
    let mut parts = zone.split('/');
    let area_ok = parts
        .next()
        .is_some_and(|a| a.len() > 1 && a.chars().next().is_some_and(|c| c.is_ascii_uppercase()));
    let rest: Vec<&str> = parts.collect();
    area_ok
        && !rest.is_empty()
        && rest.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c))
        })
}

/// Flags invalid literal crons in schedules (and v0 `publish({ cron })`).
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    for send in &facts.sends {
        if !matches!(
            send.kind,
            SendKind::ScheduleCreate | SendKind::Publish | SendKind::PublishJson
        ) {
            continue;
        }
        for req in send.requests.iter().flatten() {
            let Some(cron) = req.get("cron") else {
                continue;
            };
            for (text, span) in literal_strings(&cron.value) {
                if let Err(why) = validate(&text) {
                    out.push(Finding::new(
                        META.id,
                        span,
                        format!("invalid cron `{text}`: {why}"),
                        "use five fields: minute hour day-of-month month day-of-week, e.g. `*/5 * * * *`, optionally prefixed with `CRON_TZ=<IANA zone> `",
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn accepts_valid_crons() {
        for c in [
            "* * * * *",
            "*/5 * * * *",
            "0 0 * * MON",
            "0 9-17 * * 1-5",
            "15,45 */2 1 JAN,JUL sun",
            "CRON_TZ=America/New_York 0 9 * * *",
            "CRON_TZ=UTC 0 0 1 * *",
            "0 0 * * 7",
            "0 0 ? * *",
            "0-30/10 * * * *",
        ] {
            assert!(validate(c).is_ok(), "{c}: {:?}", validate(c));
        }
    }

    #[test]
    fn rejects_invalid_crons_and_names_the_field() {
        for (c, needle) in [
            ("* * * *", "expected 5 fields"),
            ("0 0 * * * *", "found 6"),
            ("60 * * * *", "field 1 (minute)"),
            ("0 24 * * *", "field 2 (hour)"),
            ("0 0 0 * *", "field 3 (day of month)"),
            ("0 0 * 13 *", "field 4 (month)"),
            ("0 0 * * 8", "field 5 (day of week)"),
            ("0 0 * * MONDAY", "field 5"),
            ("*/0 * * * *", "step"),
            ("0 17-9 * * *", "starts after it ends"),
            ("every 5 minutes", "expected 5 fields"),
            ("CRON_TZ=nowhere 0 0 * * *", "IANA"),
            ("0 0 L * *", "field 3"),
        ] {
            let err = validate(c).expect_err(c);
            assert!(err.contains(needle), "{c}: {err}");
        }
    }
}
