//! The agent templates, the curated voices and languages, and the tools an
//! owner may switch on. A template is a complete agent once the business
//! profile is filled: greeting, the role part of the prompt, tools, voice.

use crate::api::{AfterHours, TemplateId, ToolName};

/// A template as the assistant builder uses it.
pub struct Spec {
    pub id: TemplateId,
    pub name: &'static str,
    pub description: &'static str,
    /// `{business}` becomes the business name.
    pub greeting: &'static str,
    /// The role paragraph of the system prompt.
    pub role: &'static str,
    pub voice_id: &'static str,
    pub tools: &'static [ToolName],
    pub after_hours: AfterHours,
}

pub const TEMPLATES: &[Spec] = &[
    Spec {
        id: TemplateId::Appointments,
        name: "Appointment receptionist",
        description: "For clinics, salons and studios: answers questions about services, prices and hours, and takes appointment requests for the team to confirm.",
        greeting: "Thank you for calling {business}, this is the virtual receptionist. How can I help you today?",
        role: "You are the friendly front-desk receptionist. Callers mostly want to know about services, prices, opening hours, or to book, move or cancel an appointment. Online booking is not connected yet: for appointment requests, take a message with the caller's name, number, the service, and their preferred days and times, and tell them the team will call back to confirm.",
        voice_id: "Kylie",
        tools: &[ToolName::LookupBusinessInfo, ToolName::TakeMessage],
        after_hours: AfterHours::TakeMessage,
    },
    Spec {
        id: TemplateId::Support,
        name: "Customer support / FAQ",
        description: "Answers customers' questions from your FAQs and business details, and takes a message when it cannot help.",
        greeting: "Hi, you've reached {business}. I can answer questions about us. What would you like to know?",
        role: "You are the customer support line. Answer questions using only the business information and FAQs. If the answer is not there, say so plainly and offer to take a message so that someone from the team can follow up.",
        voice_id: "Elliot",
        tools: &[ToolName::LookupBusinessInfo, ToolName::TakeMessage],
        after_hours: AfterHours::TakeMessage,
    },
    Spec {
        id: TemplateId::AfterHours,
        name: "After-hours message taker",
        description: "Answers when you are closed: says when you open again and takes a clear message with the caller's name, number, reason and urgency.",
        greeting: "Thank you for calling {business}. We can't come to the phone right now, but I can take a message or answer a quick question.",
        role: "You answer the phone when the team is not available. Your main job is to take a clear message: the caller's name, a number to call back, the reason for the call, and how urgent it is. Tell callers when the business opens again. Answer simple questions from the business information.",
        voice_id: "Lily",
        tools: &[ToolName::TakeMessage, ToolName::LookupBusinessInfo],
        after_hours: AfterHours::TakeMessage,
    },
    Spec {
        id: TemplateId::HomeServices,
        name: "Home services",
        description: "For plumbers, electricians and cleaners: collects the job details and the address, and says what services you offer.",
        greeting: "Thanks for calling {business}. Tell me about the job and I'll make sure the team gets the details.",
        role: "You take job requests for a home services business. Find out what the problem or job is, the full address of the job, how urgent it is (an emergency such as a leak or no power is urgent), the caller's name and a callback number. Read the address and number back to confirm them, then take a message that puts all these details in the reason. Answer questions about services and areas from the business information; never promise a price or an arrival time.",
        voice_id: "Rohan",
        tools: &[ToolName::TakeMessage, ToolName::LookupBusinessInfo],
        after_hours: AfterHours::TakeMessage,
    },
    Spec {
        id: TemplateId::Custom,
        name: "Start blank",
        description: "Build your own receptionist: write the greeting and instructions, and choose its tools.",
        greeting: "",
        role: "You are the receptionist of this business.",
        voice_id: "Elliot",
        tools: &[],
        after_hours: AfterHours::TakeMessage,
    },
];

/// Vapi's own pre-made voices (`voice.provider = "vapi"`).
pub const VOICES: &[(&str, &str)] = &[
    ("Elliot", "Calm, clear male voice"),
    ("Kylie", "Warm, upbeat female voice"),
    ("Rohan", "Friendly, energetic male voice"),
    ("Lily", "Soft, reassuring female voice"),
    ("Savannah", "Relaxed female voice with a Southern US accent"),
    ("Cole", "Deep, steady male voice"),
];

/// Conversation languages (Deepgram nova-3 codes).
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("de", "German"),
    ("it", "Italian"),
    ("pt", "Portuguese"),
    ("nl", "Dutch"),
];

/// The template `id` names (every template id has one).
pub fn spec(id: TemplateId) -> &'static Spec {
    TEMPLATES
        .iter()
        .find(|t| t.id == id)
        .expect("every template id has a spec")
}

pub fn is_voice(id: &str) -> bool {
    VOICES.iter().any(|(v, _)| *v == id)
}

pub fn is_language(code: &str) -> bool {
    LANGUAGES.iter().any(|(c, _)| *c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_four_complete_templates_and_a_blank_one() {
        for id in TemplateId::ALL {
            assert_eq!(spec(*id).id, *id);
        }
        let complete: Vec<_> = TEMPLATES
            .iter()
            .filter(|t| t.id != TemplateId::Custom)
            .collect();
        assert!(complete.len() >= 4);
        for t in complete {
            assert!(t.greeting.contains("{business}"), "{}", t.id);
            assert!(is_voice(t.voice_id), "{}", t.id);
            assert!(!t.tools.is_empty(), "{}", t.id);
        }
        let blank = spec(TemplateId::Custom);
        assert!(blank.tools.is_empty() && blank.greeting.is_empty());
    }
}
