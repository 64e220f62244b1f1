//! Server-rendered pages' templates: compiled into the binary (no file is needed at run time)
//! and HTML-escaped by default.

use minijinja::Environment;

/// An environment holding `templates` (name, source), escaping every value as HTML.
///
/// # Panics
/// When a template does not parse: they are compiled in, so a test catches it first.
pub(crate) fn escaping_environment(
    templates: &[(&'static str, &'static str)],
) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    for (name, source) in templates {
        env.add_template(name, source)
            .unwrap_or_else(|error| panic!("template {name} is invalid: {error}"));
    }
    env
}
