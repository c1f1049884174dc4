use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::Card;
use crate::Route;

#[function_component(NotFoundPage)]
pub fn not_found_page() -> Html {
    html! {
        <Card title="Page not found" narrow=true testid="not-found">
            <p>{ "We couldn't find the page you were looking for. The link may be old or mistyped." }</p>
            <div class="actions">
                <Link<Route> to={Route::Home} classes="btn btn-primary">{ "Go to your dashboard" }</Link<Route>>
            </div>
        </Card>
    }
}
