//! The credit rules, as pure functions of an account's standing: what state
//! it is in, how much it may still spend, and how a debit lands.
//!
//! 1 credit = 1 minute of talk time; everything here is integer seconds.

use crate::api::{CreditSignal, CreditState};
use chrono::{DateTime, Duration, Utc};

/// How far below zero an account may go unless an admin set otherwise.
pub const DEFAULT_OVERAGE_SECONDS: i64 = 15 * 60;
/// How long an account may stay below zero.
pub const GRACE_DAYS: i64 = 7;
/// "Low" below this when no pack was bought yet.
pub const DEFAULT_LOW_THRESHOLD_SECONDS: i64 = 10 * 60;
/// Percentage of the last pack bought under which the balance is "low".
pub const LOW_PERCENT_OF_LAST_PACK: i64 = 20;
/// The one-time trial grant of a new account.
pub const SIGNUP_GRANT_SECONDS: i64 = 10 * 60;

/// What the rules need to know about an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub balance: i64,
    /// `None`: [`DEFAULT_OVERAGE_SECONDS`].
    pub overage_limit: Option<i64>,
    /// When the balance last went below zero.
    pub overdrawn_since: Option<DateTime<Utc>>,
    pub last_pack_seconds: Option<i64>,
}

impl Standing {
    pub fn overage_limit(&self) -> i64 {
        self.overage_limit.unwrap_or(DEFAULT_OVERAGE_SECONDS).max(0)
    }

    /// The lowest balance debits may reach.
    pub fn floor(&self) -> i64 {
        -self.overage_limit()
    }

    pub fn low_threshold(&self) -> i64 {
        match self.last_pack_seconds {
            Some(pack) if pack > 0 => pack * LOW_PERCENT_OF_LAST_PACK / 100,
            _ => DEFAULT_LOW_THRESHOLD_SECONDS,
        }
    }

    pub fn grace_deadline(&self) -> Option<DateTime<Utc>> {
        self.overdrawn_since.map(|t| t + Duration::days(GRACE_DAYS))
    }

    pub fn signal(&self, now: DateTime<Utc>) -> CreditSignal {
        let b = self.balance;
        if b > 0 {
            return if b < self.low_threshold() {
                CreditSignal::Low
            } else {
                CreditSignal::Ok
            };
        }
        let out_of_room = b <= self.floor();
        let out_of_time = b < 0 && self.grace_deadline().is_some_and(|d| now >= d);
        if out_of_room || out_of_time {
            CreditSignal::Blocked
        } else if b == 0 {
            CreditSignal::Zero
        } else {
            CreditSignal::Grace
        }
    }

    pub fn state(&self, now: DateTime<Utc>) -> CreditState {
        self.signal(now).state()
    }

    /// Seconds of talk the account may still use (0 when blocked).
    pub fn spendable(&self, now: DateTime<Utc>) -> i64 {
        if self.signal(now) == CreditSignal::Blocked {
            0
        } else {
            (self.balance - self.floor()).max(0)
        }
    }

    /// How a debit of `amount` (> 0) lands: it never takes the balance below
    /// the floor; what does not fit is reported as unbilled.
    pub fn plan_debit(&self, amount: i64) -> DebitPlan {
        let room = (self.balance - self.floor()).max(0);
        let charged = amount.min(room);
        DebitPlan {
            charged,
            unbilled: amount - charged,
            balance_after: self.balance - charged,
        }
    }

    /// The standing after the balance moves to `balance` at `now`.
    pub fn moved_to(&self, balance: i64, now: DateTime<Utc>) -> Standing {
        let overdrawn_since = match (balance < 0, self.overdrawn_since) {
            (false, _) => None,
            (true, Some(since)) => Some(since),
            (true, None) => Some(now),
        };
        Standing {
            balance,
            overdrawn_since,
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DebitPlan {
    pub charged: i64,
    pub unbilled: i64,
    pub balance_after: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn standing(balance: i64) -> Standing {
        Standing {
            balance,
            overage_limit: None,
            overdrawn_since: None,
            last_pack_seconds: None,
        }
    }

    #[test]
    fn low_is_below_twenty_percent_of_the_last_pack_or_ten_minutes() {
        let now = Utc::now();
        assert_eq!(standing(600).signal(now), CreditSignal::Ok);
        assert_eq!(standing(599).signal(now), CreditSignal::Low);
        let bought = Standing {
            last_pack_seconds: Some(30_000),
            ..standing(5_999)
        };
        assert_eq!(bought.signal(now), CreditSignal::Low);
        assert_eq!(
            Standing {
                balance: 6_000,
                ..bought
            }
            .signal(now),
            CreditSignal::Ok
        );
    }

    #[test]
    fn below_zero_calls_continue_into_fifteen_minutes_of_overage_for_seven_days() {
        let now = Utc::now();
        assert_eq!(standing(0).signal(now), CreditSignal::Zero);
        assert_eq!(standing(0).state(now), CreditState::Grace);
        let over = standing(0).moved_to(-60, now);
        assert_eq!(over.overdrawn_since, Some(now));
        assert_eq!(over.signal(now), CreditSignal::Grace);
        assert_eq!(over.spendable(now), 840);
        assert_eq!(
            over.signal(now + Duration::days(7) - Duration::seconds(1)),
            CreditSignal::Grace
        );
        assert_eq!(
            over.signal(now + Duration::days(7)),
            CreditSignal::Blocked,
            "past 7 days"
        );
        assert_eq!(
            standing(-900).signal(now),
            CreditSignal::Blocked,
            "past 15 minutes"
        );
        assert_eq!(
            over.moved_to(-120, now + Duration::hours(1))
                .overdrawn_since,
            Some(now)
        );
        assert_eq!(
            over.moved_to(100, now).overdrawn_since,
            None,
            "a purchase lifts the block"
        );
    }

    #[test]
    fn an_admin_override_changes_the_allowed_overage() {
        let now = Utc::now();
        let none = Standing {
            overage_limit: Some(0),
            ..standing(0)
        };
        assert_eq!(none.signal(now), CreditSignal::Blocked);
        let more = Standing {
            overage_limit: Some(3600),
            ..standing(-1000)
        };
        assert_eq!(more.signal(now), CreditSignal::Grace);
    }

    #[test]
    fn a_debit_stops_at_the_floor_and_reports_the_rest_unbilled() {
        let plan = standing(100).plan_debit(1200);
        assert_eq!(
            plan,
            DebitPlan {
                charged: 1000,
                unbilled: 200,
                balance_after: -900
            }
        );
        assert_eq!(standing(-950).plan_debit(10).charged, 0);
    }

    proptest! {
        #[test]
        fn debits_never_cross_the_floor_and_account_for_every_second(
            balance in -2000i64..100_000, amount in 1i64..200_000, limit in proptest::option::of(0i64..5000)
        ) {
            let s = Standing { overage_limit: limit, ..standing(balance) };
            let plan = s.plan_debit(amount);
            prop_assert_eq!(plan.charged + plan.unbilled, amount);
            prop_assert!(plan.charged >= 0);
            prop_assert_eq!(plan.balance_after, balance - plan.charged);
            prop_assert!(plan.balance_after >= s.floor().min(balance));
        }
    }
}
