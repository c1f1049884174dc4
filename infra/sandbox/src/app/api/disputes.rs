//! Disputes (opened by the test controls): `GET /v1/disputes/{id}`.

use super::*;

pub(super) fn retrieve_dispute(st: &State, id: &str) -> Result<Value, ApiError> {
    st.disputes
        .get(id)
        .map(Dispute::json)
        .ok_or_else(|| ApiError::no_such(404, "dispute", id, "id"))
}
