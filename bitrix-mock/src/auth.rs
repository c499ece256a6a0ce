//! Who is calling: the portal's users, its installed applications and their credentials.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bitrix_spec::AuthContext;

/// The application most tests act as.
pub const MAIN_APP: &str = "app.main";
/// A second installed application, for ownership checks between applications.
pub const OTHER_APP: &str = "app.other";
/// The portal administrator; owner of the webhook.
pub const ADMIN_USER_ID: i64 = 1;
/// An ordinary employee without administrator rights.
pub const USER_ID: i64 = 2;

/// The authenticated side of a call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller {
    pub user: i64,
    /// `None` for webhooks, which run outside any application.
    pub app: Option<&'static str>,
    pub context: AuthContext,
}

impl Caller {
    pub(crate) fn is_admin(&self) -> bool {
        self.user == ADMIN_USER_ID
    }
}

/// The secrets the portal starts with; fresh for every portal so tests cannot share them by
/// accident. The access tokens' lifetimes and their refresh tokens live in [`crate::oauth`].
pub(crate) struct Credentials {
    pub webhook_code: String,
    pub main_admin_token: String,
    pub main_user_token: String,
    pub other_admin_token: String,
    /// Bearer token of the control endpoint.
    pub control_token: String,
}

impl Credentials {
    pub(crate) fn generate() -> Self {
        Credentials {
            webhook_code: secret(16),
            main_admin_token: secret(32),
            main_user_token: secret(32),
            other_admin_token: secret(32),
            control_token: secret(32),
        }
    }

    /// `/rest/{user}/{code}/`: the code must belong to that very user.
    pub(crate) fn webhook(&self, user: &str, code: &str) -> Option<Caller> {
        (user == ADMIN_USER_ID.to_string() && code == self.webhook_code).then_some(Caller {
            user: ADMIN_USER_ID,
            app: None,
            context: AuthContext::Webhook,
        })
    }
}

/// `len` lowercase hex digits, unique within the process and unlikely to repeat across runs.
///
/// Not cryptographic: the portal only listens on loopback, and distinct values per portal are
/// all its tests need.
pub(crate) fn secret(len: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut seed = nanos ^ u64::from(std::process::id()).rotate_left(32);
    seed ^= COUNTER
        .fetch_add(1, Ordering::Relaxed)
        .wrapping_mul(0xA24B_AED4_963E_E407);
    let mut out = String::with_capacity(len + 16);
    while out.len() < len {
        out.push_str(&format!("{:016x}", splitmix64(&mut seed)));
    }
    out.truncate(len);
    out
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A user of the portal as `profile` and `user.current` describe them.
pub(crate) struct Person {
    pub id: i64,
    pub name: &'static str,
    pub last_name: &'static str,
    pub email: &'static str,
    pub position: &'static str,
}

/// The portal's two employees; bots are users too, but neither method answers for them.
pub(crate) const PEOPLE: [Person; 2] = [
    Person {
        id: ADMIN_USER_ID,
        name: "Anna",
        last_name: "Admin",
        email: "admin@example.com",
        position: "Administrator",
    },
    Person {
        id: USER_ID,
        name: "Ivan",
        last_name: "User",
        email: "user@example.com",
        position: "Manager",
    },
];

/// The employee with this id.
pub(crate) fn person(id: i64) -> Option<&'static Person> {
    PEOPLE.iter().find(|p| p.id == id)
}
