//! Seeding the portal with enough items to page through.

use crate::MockPortal;
use crate::auth::MAIN_APP;

impl MockPortal {
    /// Gives CRM entity type `entity_type_id` exactly `count` items, ids `1..=count`, replacing
    /// any it had, for `crm.item.list` to page through.
    ///
    /// Each item has `id`, `title` (`"Item N"`), `assignedById` (the administrator), `stageId`
    /// (`NEW`), `opportunity` (`N * 100`), `createdTime` (one second apart, the last one now)
    /// and the user field `ufCrm<entity>Color` (`red`, `green`, `blue` in turn), answered as
    /// `UF_CRM_<entity>_COLOR` when the call sets `useOriginalUfNames=Y`.
    /// Without seeding, the system types (1 lead, 2 deal, 3 contact, 4 company, 7 quote, 31
    /// smart invoice) list nothing and any other type answers `NOT_FOUND` (`SPA not found`).
    ///
    /// `crm.item.list` answers 50 items per page from `start`, with `total` and, while more
    /// remain, `next`; `start=-1` answers the first 50 without either. It filters on any field
    /// the items have with the portal's prefixes (`=`, `!`, `>`, `>=`, `<`, `<=`, `%`, `!%`,
    /// `=%` (`LIKE`), `@`, `!@`, `><`, `!><`), orders by any of them (`ASC`/`DESC` in any case,
    /// by `id` ascending otherwise) and answers only the `select`ed fields plus `id` (`*` all,
    /// `uf_*` the user fields). A field no item has, a text search on a number or a value that
    /// does not fit is refused with `INVALID_ARG_VALUE`.
    pub fn seed_crm_items(&self, entity_type_id: i64, count: usize) {
        self.portal.lock().seed_crm_items(entity_type_id, count);
    }

    /// Registers `count` more bots for [`MAIN_APP`], for `imbot.v2.Bot.list` to page through
    /// (`limit`, at most and by default 50, from `offset`, by id).
    pub fn seed_bots(&self, count: usize) {
        let mut state = self.portal.lock();
        for _ in 0..count {
            state.add_bot(MAIN_APP);
        }
    }
}
