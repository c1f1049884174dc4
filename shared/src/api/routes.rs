//! The HTTP routes of the manifest (`infra/functions.toml`), generated at
//! build time: the dashboard's API client and the OpenAPI check take their
//! paths from here.

/// One route: its function, method and path pattern (`{param}` segments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub function: &'static str,
    pub method: &'static str,
    pub path: &'static str,
}

impl Route {
    /// The path with its `{param}` segments filled, in order.
    pub fn path_with(&self, params: &[&dyn std::fmt::Display]) -> String {
        let mut params = params.iter();
        self.path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') && segment.ends_with('}') {
                    params
                        .next()
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| segment.to_string())
                } else {
                    segment.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

include!(concat!(env!("OUT_DIR"), "/routes.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_fills_its_parameters_in_order() {
        assert_eq!(AGENTS_GET.method, "GET");
        assert_eq!(AGENTS_GET.path_with(&[&"42"]), "/api/agents/42");
        assert_eq!(AGENTS_LIST.path_with(&[]), "/api/agents");
    }
}
