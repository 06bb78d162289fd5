//! JSON Schemas of every command's `--json` output, generated from the output types
//! ([`schemars`]): `docs/schema/COMMAND.schema.json` holds them, and `tests/schema.rs` checks
//! that the committed files equal [`all`] and that every command's output on the shipped data
//! validates against its schema.
//!
//! Regenerate the files after changing an output type:
//! `cargo test --test schema -- --ignored write_schemas`.
//!
//! The schemas describe what serialisation emits: fields skipped when empty or absent are
//! optional, `Option` values are nullable, and every object lists all its keys
//! (`additionalProperties: false`), so a key added to an output shows in a stale schema.

use super::cfa::CfaOutput;
use super::describe::DescribeOutput;
use super::efa::EfaOutput;
use super::evaluate::EvaluateOutput;
use super::framework::FrameworkOutput;
use super::icc::IccOutput;
use super::instrument::{InstrumentList, InstrumentShow};
use super::kappa::KappaOutput;
use super::krippendorff::KrippendorffOutput;
use super::omega::{OmegaOutput, ScaleOmega};
use super::parallel::ParallelOutput;
use super::polychoric::PolychoricOutput;
use super::profile::ProfileOutput;
use super::regress::RegressOutput;
use super::reliability::{ReliabilityOutput, ScaleReliability};
use super::rwg::{RwgOutput, RwgScale};
use super::study::StudyCheckOutput;
use schemars::generate::SchemaSettings;
use schemars::transform::{transform_subschemas, Transform};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;
use std::borrow::Cow;

/// Every command with a `--json` output, as `(file stem, schema)`: the schema of
/// `trustscale reliability ... --json` is in `docs/schema/reliability.schema.json`.
pub fn all() -> Vec<(&'static str, Value)> {
    vec![
        ("reliability", schema::<ReliabilityOutput>()),
        ("omega", schema::<OmegaOutput>()),
        ("efa", schema::<EfaOutput>()),
        ("parallel", schema::<ParallelOutput>()),
        ("polychoric", schema::<PolychoricOutput>()),
        ("cfa", schema::<CfaOutput>()),
        ("icc", schema::<IccOutput>()),
        ("rwg", schema::<RwgOutput>()),
        ("kappa", schema::<KappaOutput>()),
        ("krippendorff", schema::<KrippendorffOutput>()),
        ("regress", schema::<RegressOutput>()),
        ("profile", schema::<ProfileOutput>()),
        ("evaluate", schema::<EvaluateOutput>()),
        ("framework", schema::<FrameworkOutput>()),
        ("study-check", schema::<StudyCheckOutput>()),
        ("describe", schema::<DescribeOutput>()),
        ("instrument-list", schema::<InstrumentList>()),
        ("instrument-show", schema::<InstrumentShow>()),
    ]
}

/// One schema as the committed file's text: pretty JSON with a final newline.
pub fn to_file_text(schema: &Value) -> String {
    format!("{schema:#}\n")
}

/// The schema of what `T` serialises to, with a title naming the type.
pub fn schema<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .with_transform(CloseObjects)
        .into_generator();
    generator.into_root_schema_for::<T>().to_value()
}

/// Sets `additionalProperties: false` on every object schema that lists its properties and
/// says nothing of others, so that a key the schema does not know fails validation. An object
/// with a flattened enum (properties beside `oneOf`/`anyOf`/`allOf`) gets
/// `unevaluatedProperties: false` instead, and its inline branches stay open, since each branch
/// sees only its own keys.
#[derive(Debug, Clone, Copy)]
struct CloseObjects;

impl Transform for CloseObjects {
    fn transform(&mut self, schema: &mut Schema) {
        transform_subschemas(self, schema);
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        if !obj.contains_key("properties")
            || obj.contains_key("additionalProperties")
            || obj.contains_key("unevaluatedProperties")
        {
            return;
        }
        let mut combined = false;
        for key in ["oneOf", "anyOf", "allOf"] {
            if let Some(Value::Array(branches)) = obj.get_mut(key) {
                combined = true;
                for b in branches.iter_mut().filter_map(Value::as_object_mut) {
                    if b.get("additionalProperties") == Some(&Value::Bool(false)) {
                        b.remove("additionalProperties");
                    }
                }
            }
        }
        let key = if combined {
            "unevaluatedProperties"
        } else {
            "additionalProperties"
        };
        obj.insert(key.into(), Value::Bool(false));
    }
}

/// `{"instrument": ..., "scales": [...]}`, the several-scales form.
fn scales_object(instrument: Option<Schema>, scales: Schema) -> Schema {
    match instrument {
        Some(i) => json_schema!({
            "type": "object",
            "properties": { "instrument": i, "scales": scales },
            "required": ["instrument", "scales"],
        }),
        None => json_schema!({
            "type": "object",
            "properties": { "scales": scales },
            "required": ["scales"],
        }),
    }
}

impl JsonSchema for ReliabilityOutput {
    fn schema_name() -> Cow<'static, str> {
        "ReliabilityOutput".into()
    }

    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let one = g.subschema_for::<crate::reliability::ReliabilityResult>();
        let several = scales_object(
            Some(g.subschema_for::<String>()),
            g.subschema_for::<Vec<ScaleReliability>>(),
        );
        json_schema!({
            "description": "One scale (items named by hand, or one --scale): its bare result; \
                            an instrument's subscales: {instrument, scales}.",
            "oneOf": [one, several],
        })
    }
}

impl JsonSchema for OmegaOutput {
    fn schema_name() -> Cow<'static, str> {
        "OmegaOutput".into()
    }

    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let one = g.subschema_for::<ScaleOmega>();
        let several = scales_object(None, g.subschema_for::<Vec<ScaleOmega>>());
        json_schema!({
            "description": "One scale: its bare result; several: {scales}.",
            "oneOf": [one, several],
        })
    }
}

impl JsonSchema for RwgOutput {
    fn schema_name() -> Cow<'static, str> {
        "RwgOutput".into()
    }

    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let one = g.subschema_for::<crate::agreement::rwg::RwgResult>();
        let several = scales_object(
            Some(g.subschema_for::<Option<String>>()),
            g.subschema_for::<Vec<RwgScale>>(),
        );
        json_schema!({
            "description": "One scale (items named by hand, or one --scale): its bare result; \
                            an instrument's subscales: {instrument, scales}.",
            "oneOf": [one, several],
        })
    }
}
