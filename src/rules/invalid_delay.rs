//! `invalid-delay`: delays and timeouts QStash rejects, and `notBefore` in
//! milliseconds.

use super::{Category, Finding, RuleContext, RuleMeta};
use crate::diagnostic::Severity;
use crate::facts::Literal;

/// Rule description.
pub static META: RuleMeta = RuleMeta {
    id: "invalid-delay",
    severity: Severity::Error,
    enabled_by_default: true,
    category: Category::Correctness,
    security_severity: None,
    summary:
        "a delay/timeout that is not `<int><s|m|h|d>` or negative, or a notBefore in milliseconds",
    doc: include_str!("../../rules/invalid-delay.md"),
};

/// Whether `s` is a QStash duration: digits and one unit of `s`, `m`, `h`, `d`.
pub fn is_duration(s: &str) -> bool {
    let Some(unit) = s.chars().last() else {
        return false;
    };
    let digits = &s[..s.len() - unit.len_utf8()];
    matches!(unit, 's' | 'm' | 'h' | 'd')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Flags bad `delay`/`timeout` values and millisecond `notBefore`s.
pub fn check(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let Some(facts) = ctx.facts else { return };
    for send in &facts.sends {
        for req in send.requests.iter().flatten() {
            for key in ["delay", "timeout"] {
                let Some(prop) = req.get(key) else { continue };
                match &prop.value.literal {
                    Some(Literal::Str(s)) if !is_duration(s) => out.push(Finding::new(
                        META.id,
                        prop.value.span,
                        format!("`{key}: \"{s}\"` is not a duration QStash accepts"),
                        "write a whole number and one unit: `\"30s\"`, `\"5m\"`, `\"2h\"`, `\"1d\"`, or a number of seconds",
                    )),
                    Some(Literal::Num(n)) if *n < 0.0 => out.push(Finding::new(
                        META.id,
                        prop.value.span,
                        format!("`{key}` is negative"),
                        "use zero or a positive number of seconds",
                    )),
                    _ => {}
                }
            }
            if let Some(prop) = req.get("notBefore") {
                if prop.value.millis {
                    out.push(Finding::new(
                        META.id,
                        prop.value.span,
                        "`notBefore` is computed in milliseconds, but QStash expects unix seconds",
                        "divide by 1000: `Math.floor(Date.now() / 1000) + 60`",
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        for ok in ["10s", "5m", "1h", "2d", "0s"] {
            assert!(super::is_duration(ok), "{ok}");
        }
        for bad in ["5 minutes", "1.5h", "10", "s", "10ms", "1h30m", "-5s", ""] {
            assert!(!super::is_duration(bad), "{bad}");
        }
    }
}
