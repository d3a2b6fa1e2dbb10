//! AWS Lambda routes from YAML configs: the Serverless Framework's
//! `serverless.yml` (`http` and `httpApi` events) and AWS SAM's
//! `template.yaml` (`Api` and `HttpApi` events).

use super::{method_of, module_path, split_handler, Declared};
use crate::routes;
use serde_yaml::Value;
use std::path::{Path, PathBuf};

/// The routes of a `serverless.yml` in `dir`.
pub fn serverless_yml(dir: &Path, text: &str) -> Vec<(PathBuf, Declared)> {
    let Ok(doc) = serde_yaml::from_str::<Value>(text) else {
        return Vec::new();
    };
    let Some(functions) = doc.get("functions").and_then(Value::as_mapping) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in functions.values() {
        let Some((module, export)) = f
            .get("handler")
            .and_then(Value::as_str)
            .and_then(split_handler)
        else {
            continue;
        };
        // `url: true` (or `url: { cors: … }`) gives the function a URL.
        if f.get("url").is_some_and(|u| u.as_bool() != Some(false)) {
            out.push((module_path(dir, module), function_url(export)));
        }
        let Some(events) = f.get("events").and_then(Value::as_sequence) else {
            continue;
        };
        for event in events {
            for kind in ["http", "httpApi"] {
                let Some(e) = event.get(kind) else { continue };
                let route = match e {
                    // `http: POST /x` or `httpApi: 'POST /x'`; a bare `*`
                    // catches everything and says nothing about the path.
                    Value::String(s) => s
                        .split_once(' ')
                        .map(|(m, p)| (m.to_string(), p.to_string())),
                    _ => {
                        let path = e.get("path").and_then(Value::as_str);
                        let method = e.get("method").and_then(Value::as_str).unwrap_or("ANY");
                        path.map(|p| (method.to_string(), p.to_string()))
                    }
                };
                if let Some(d) = declared(export, &route) {
                    out.push((module_path(dir, module), d));
                }
            }
        }
    }
    out
}

/// The routes of a SAM `template.yaml` in `dir`.
pub fn sam_template(dir: &Path, text: &str) -> Vec<(PathBuf, Declared)> {
    let Ok(doc) = serde_yaml::from_str::<Value>(text) else {
        return Vec::new();
    };
    let Some(resources) = doc.get("Resources").and_then(Value::as_mapping) else {
        return Vec::new();
    };
    let globals = doc.get("Globals").and_then(|g| g.get("Function"));
    let global = |key: &str| globals.and_then(|g| g.get(key)).and_then(Value::as_str);
    let mut out = Vec::new();
    for r in resources.values() {
        if r.get("Type").and_then(Value::as_str) != Some("AWS::Serverless::Function") {
            continue;
        }
        let props = r.get("Properties");
        let prop = |key: &str| props.and_then(|p| p.get(key)).and_then(Value::as_str);
        let Some((module, export)) = prop("Handler")
            .or(global("Handler"))
            .and_then(split_handler)
        else {
            continue;
        };
        let code = dir.join(prop("CodeUri").or(global("CodeUri")).unwrap_or("."));
        // With the esbuild build method the handler names the bundle; the
        // source is the single entry point.
        let entries: Vec<&str> = r
            .get("Metadata")
            .and_then(|m| m.get("BuildProperties"))
            .and_then(|b| b.get("EntryPoints"))
            .and_then(Value::as_sequence)
            .map(|s| s.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let source = match entries.as_slice() {
            [one] => module_path(&code, one),
            _ => module_path(&code, module),
        };
        let Some(events) = props
            .and_then(|p| p.get("Events"))
            .and_then(Value::as_mapping)
        else {
            continue;
        };
        for e in events.values() {
            if !matches!(
                e.get("Type").and_then(Value::as_str),
                Some("Api" | "HttpApi")
            ) {
                continue;
            }
            let p = e.get("Properties");
            let path = p.and_then(|p| p.get("Path")).and_then(Value::as_str);
            let method = p
                .and_then(|p| p.get("Method"))
                .and_then(Value::as_str)
                .unwrap_or("ANY");
            let route = path.map(|path| (method.to_string(), path.to_string()));
            if let Some(d) = declared(export, &route) {
                out.push((source.clone(), d));
            }
        }
    }
    out
}

/// The function URL of a Lambda handler export.
pub(super) fn function_url(export: &str) -> Declared {
    Declared {
        export: export.to_string(),
        pattern: None,
        method: None,
    }
}

/// A declared Lambda route from its method and path.
pub(super) fn declared(export: &str, route: &Option<(String, String)>) -> Option<Declared> {
    let (method, path) = route.as_ref()?;
    let path = path.trim();
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Some(Declared {
        export: export.to_string(),
        pattern: Some(routes::gateway_path(&path)?),
        method: method_of(method),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(v: &[(PathBuf, Declared)]) -> Vec<String> {
        v.iter()
            .map(|(m, d)| {
                format!(
                    "{} {} {} {}",
                    m.display(),
                    d.export,
                    d.method.as_deref().unwrap_or("ANY"),
                    d.pattern.as_ref().map_or("URL".into(), |p| p.display())
                )
            })
            .collect()
    }

    #[test]
    fn serverless_http_and_http_api_events() {
        let yml = r#"
service: app
functions:
  webhook:
    handler: src/handlers/webhook.handler
    events:
      - http:
          path: qstash/{id}
          method: post
      - httpApi: 'PUT /v2/{proxy+}'
      - httpApi: '*'
      - schedule: rate(1 hour)
  cron:
    handler: src/cron.run
  hook:
    handler: src/hook.main
    url: true
  nourl:
    handler: src/nourl.main
    url: false
"#;
        assert_eq!(
            shown(&serverless_yml(Path::new("/p"), yml)),
            [
                "/p/src/handlers/webhook handler POST /qstash/[param]",
                "/p/src/handlers/webhook handler PUT /v2/[...path]",
                "/p/src/hook main ANY URL",
            ]
        );
        assert!(serverless_yml(Path::new("/p"), "functions: [").is_empty());
    }

    #[test]
    fn sam_events_with_globals_and_esbuild_entry_points() {
        let yml = r#"
Globals:
  Function:
    CodeUri: functions/
Resources:
  Receiver:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.lambdaHandler
      Events:
        Hook:
          Type: Api
          Properties:
            Path: /hook
            Method: post
            RestApiId: !Ref MyApi
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints:
          - src/receiver.ts
  Table:
    Type: AWS::DynamoDB::Table
"#;
        assert_eq!(
            shown(&sam_template(Path::new("/p"), yml)),
            ["/p/functions/src/receiver lambdaHandler POST /hook"]
        );
    }
}
