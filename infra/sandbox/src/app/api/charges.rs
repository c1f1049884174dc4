//! Charges (the payment of a paid session): `GET /v1/charges/{id}`.

use super::*;

pub(super) fn retrieve_charge(st: &State, id: &str) -> Result<Value, ApiError> {
    st.charges
        .get(id)
        .map(Charge::json)
        .ok_or_else(|| ApiError::no_such(404, "charge", id, "id"))
}
