//! NestJS controllers: routes from `@Controller` + `@Post` decorators under
//! the app's global prefix, verified by guards whose `canActivate` verifies
//! (at method, class or app level), and left alone when unknown.

mod disk;

use assert_cmd::Command;
use disk::{path_line, shown, write};
use std::fs;
use std::path::Path;

/// `path:line` of the diagnostics of `rule`, sorted.
fn diagnostics(root: &Path, rule: &str) -> Vec<String> {
    shown(root, &["check"], |d| d["rule"] == rule, path_line)
}

fn receivers(root: &Path) -> Vec<String> {
    diagnostics(root, "missing-signature-verification")
}

const VERIFYING_GUARD: &str = r#"import { CanActivate, ExecutionContext, Injectable } from "@nestjs/common";
import { Receiver } from "@upstash/qstash";

@Injectable()
export class QstashGuard implements CanActivate {
  private readonly receiver = new Receiver({
    currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
    nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
  });

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest();
    await this.receiver.verify({
      signature: req.headers["upstash-signature"],
      body: req.rawBody.toString(),
    });
    return true;
  }
}
"#;

const ROLES_GUARD: &str = r#"import { CanActivate, ExecutionContext, Injectable } from "@nestjs/common";

@Injectable()
export class RolesGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest().user?.admin === true;
  }
}
"#;

const MAIN: &str = r#"import { NestFactory } from "@nestjs/core";
import { AppModule } from "./app.module";

async function bootstrap() {
  const app = await NestFactory.create(AppModule, { rawBody: true });
  app.setGlobalPrefix("api");
  await app.listen(3000);
}
bootstrap();
"#;

/// A Nest project whose service publishes to `dest`, with `main.ts` as
/// given, the two guards, and `files`.
fn project(dest: &str, main: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    fs::create_dir_all(r.join(".git")).expect("git");
    write(
        r,
        "package.json",
        r#"{"dependencies": {"@nestjs/common": "10", "@nestjs/core": "10", "@upstash/qstash": "2"}}"#,
    );
    write(
        r,
        "src/jobs.service.ts",
        format!(
            "import {{ Injectable }} from \"@nestjs/common\";\nimport {{ Client }} from \"@upstash/qstash\";\n@Injectable()\nexport class JobsService {{\n  private readonly qstash = new Client({{ token: process.env.QSTASH_TOKEN! }});\n  async run() {{\n    try {{\n      await this.qstash.publishJSON({{ url: `${{process.env.APP_URL}}{dest}`, body: {{}} }});\n    }} catch (e) {{\n      console.error(e);\n    }}\n  }}\n}}\n"
        ),
    );
    if !main.is_empty() {
        write(r, "src/main.ts", main);
    }
    write(r, "src/qstash.guard.ts", VERIFYING_GUARD);
    write(r, "src/roles.guard.ts", ROLES_GUARD);
    for (rel, text) in files {
        write(r, rel, text);
    }
    dir
}

fn controller(decorators: &str, method: &str) -> String {
    format!(
        "import {{ All, Body, Controller, Get, Headers, Post, UseGuards }} from \"@nestjs/common\";\nimport {{ QstashGuard }} from \"./qstash.guard\";\nimport {{ RolesGuard }} from \"./roles.guard\";\n\n{decorators}\nexport class JobsController {{\n  {method}\n  async handle(@Body() body: unknown) {{\n    return body;\n  }}\n}}\n"
    )
}

#[test]
fn a_controller_route_serves_under_the_global_prefix() {
    let c = controller("@Controller(\"jobs\")", "@Post(\"run\")");
    let p = project("/api/jobs/run", MAIN, &[("src/jobs.controller.ts", &c)]);
    assert_eq!(receivers(p.path()), ["src/jobs.controller.ts:8"]);
    // Without the global prefix the route is `/jobs/run`: `/api/jobs/run`
    // reaches nothing.
    let p = project("/api/jobs/run", "", &[("src/jobs.controller.ts", &c)]);
    assert!(receivers(p.path()).is_empty());
    let p = project("/jobs/run", "", &[("src/jobs.controller.ts", &c)]);
    assert_eq!(receivers(p.path()), ["src/jobs.controller.ts:8"]);
}

#[test]
fn controller_paths_come_in_every_shape() {
    for (decorators, method, dest) in [
        (
            "@Controller({ path: \"jobs\" })",
            "@Post(\"run\")",
            "/api/jobs/run",
        ),
        ("@Controller()", "@Post(\"jobs/run\")", "/api/jobs/run"),
        ("@Controller(\"jobs/run\")", "@Post()", "/api/jobs/run"),
        ("@Controller(\"jobs\")", "@All(\"run\")", "/api/jobs/run"),
        (
            "@Controller(\"jobs\")",
            "@Post([\"start\", \"run\"])",
            "/api/jobs/run",
        ),
        ("@Controller(\"jobs\")", "@Post(\":id\")", "/api/jobs/42"),
    ] {
        let c = controller(decorators, method);
        let p = project(dest, MAIN, &[("src/jobs.controller.ts", &c)]);
        assert_eq!(
            receivers(p.path()),
            ["src/jobs.controller.ts:8"],
            "{decorators} {method}"
        );
    }
}

#[test]
fn routes_that_cannot_be_known_are_left_alone() {
    // A controller path from a variable that is not a const.
    let c = controller("@Controller(process.env.JOBS_PATH)", "@Post(\"run\")");
    let p = project("/api/jobs/run", MAIN, &[("src/jobs.controller.ts", &c)]);
    assert!(receivers(p.path()).is_empty());
    // A global prefix that cannot be known.
    let main = MAIN.replace("\"api\"", "process.env.PREFIX!");
    let c = controller("@Controller(\"jobs\")", "@Post(\"run\")");
    let p = project("/api/jobs/run", &main, &[("src/jobs.controller.ts", &c)]);
    assert!(receivers(p.path()).is_empty());
    // URI versioning may put `/v1` in front of any route.
    let main = MAIN.replace(
        "  app.setGlobalPrefix(\"api\");\n",
        "  app.enableVersioning({ type: VersioningType.URI });\n  app.setGlobalPrefix(\"api\");\n",
    );
    let p = project("/api/jobs/run", &main, &[("src/jobs.controller.ts", &c)]);
    assert!(receivers(p.path()).is_empty());
    // RouterModule puts module paths in front of controllers.
    let module = "import { Module } from \"@nestjs/common\";\nimport { RouterModule } from \"@nestjs/core\";\n@Module({ imports: [RouterModule.register([{ path: \"admin\", module: AdminModule }])] })\nexport class AppModule {}\n";
    let p = project(
        "/api/jobs/run",
        MAIN,
        &[
            ("src/jobs.controller.ts", &c),
            ("src/app.module.ts", module),
        ],
    );
    assert!(receivers(p.path()).is_empty());
    // A GET route is not where QStash delivers a POST.
    let c = controller("@Controller(\"jobs\")", "@Get(\"run\")");
    let p = project("/api/jobs/run", MAIN, &[("src/jobs.controller.ts", &c)]);
    assert!(receivers(p.path()).is_empty());
}

#[test]
fn a_verifying_guard_verifies_at_method_class_or_app_level() {
    let method = controller(
        "@Controller(\"jobs\")",
        "@Post(\"run\")\n  @UseGuards(QstashGuard)",
    );
    let class = controller(
        "@Controller(\"jobs\")\n@UseGuards(QstashGuard)",
        "@Post(\"run\")",
    );
    let instance = controller(
        "@Controller(\"jobs\")\n@UseGuards(RolesGuard, new QstashGuard())",
        "@Post(\"run\")",
    );
    for c in [&method, &class, &instance] {
        let p = project("/api/jobs/run", MAIN, &[("src/jobs.controller.ts", c)]);
        assert!(receivers(p.path()).is_empty(), "{c}");
    }
    let global = MAIN.replace(
        "  app.setGlobalPrefix(\"api\");\n",
        "  app.setGlobalPrefix(\"api\");\n  app.useGlobalGuards(new QstashGuard());\n",
    );
    let global = format!("import {{ QstashGuard }} from \"./qstash.guard\";\n{global}");
    let c = controller("@Controller(\"jobs\")", "@Post(\"run\")");
    let p = project("/api/jobs/run", &global, &[("src/jobs.controller.ts", &c)]);
    assert!(receivers(p.path()).is_empty());
}

#[test]
fn a_guard_provided_as_app_guard_verifies_every_route() {
    let module = |guard: &str| {
        format!(
            "import {{ Module }} from \"@nestjs/common\";\nimport {{ APP_GUARD }} from \"@nestjs/core\";\nimport {{ QstashGuard }} from \"./qstash.guard\";\nimport {{ RolesGuard }} from \"./roles.guard\";\n@Module({{ providers: [{{ provide: APP_GUARD, useClass: {guard} }}] }})\nexport class AppModule {{}}\n"
        )
    };
    let c = controller("@Controller(\"jobs\")", "@Post(\"run\")");
    let verifying = module("QstashGuard");
    let p = project(
        "/api/jobs/run",
        MAIN,
        &[
            ("src/jobs.controller.ts", &c),
            ("src/app.module.ts", &verifying),
        ],
    );
    assert!(receivers(p.path()).is_empty());
    let other = module("RolesGuard");
    let p = project(
        "/api/jobs/run",
        MAIN,
        &[
            ("src/jobs.controller.ts", &c),
            ("src/app.module.ts", &other),
        ],
    );
    assert_eq!(receivers(p.path()), ["src/jobs.controller.ts:8"]);
}

#[test]
fn a_guard_that_does_not_verify_is_not_verification() {
    for (c, line) in [
        (
            controller(
                "@Controller(\"jobs\")",
                "@Post(\"run\")\n  @UseGuards(RolesGuard)",
            ),
            9,
        ),
        (
            controller(
                "@Controller(\"jobs\")\n@UseGuards(RolesGuard)",
                "@Post(\"run\")",
            ),
            9,
        ),
    ] {
        let p = project("/api/jobs/run", MAIN, &[("src/jobs.controller.ts", &c)]);
        assert_eq!(
            receivers(p.path()),
            [format!("src/jobs.controller.ts:{line}")],
            "{c}"
        );
    }
}

#[test]
fn a_guard_that_calls_a_verifier_verifies() {
    let verify = r#"import { Receiver } from "@upstash/qstash";
const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
});
export async function verifyQstash(signature: string, body: string) {
  await receiver.verify({ signature, body });
}
"#;
    let guard = r#"import { CanActivate, ExecutionContext, Injectable } from "@nestjs/common";
import { verifyQstash } from "./lib/verify";

@Injectable()
export class SignatureGuard implements CanActivate {
  async canActivate(context: ExecutionContext) {
    const req = context.switchToHttp().getRequest();
    await verifyQstash(req.headers["upstash-signature"], req.rawBody.toString());
    return true;
  }
}
"#;
    let c = "import { Controller, Post, UseGuards } from \"@nestjs/common\";\nimport { SignatureGuard } from \"./signature.guard\";\n\n@Controller(\"jobs\")\n@UseGuards(SignatureGuard)\nexport class JobsController {\n  @Post(\"run\")\n  async handle() {\n    return 1;\n  }\n}\n";
    let p = project(
        "/api/jobs/run",
        MAIN,
        &[
            ("src/lib/verify.ts", verify),
            ("src/signature.guard.ts", guard),
            ("src/jobs.controller.ts", c),
        ],
    );
    assert!(receivers(p.path()).is_empty());
}

#[test]
fn a_guard_that_delegates_to_a_verifying_service_verifies() {
    let service = r#"import { Injectable } from "@nestjs/common";
import { Receiver } from "@upstash/qstash";

@Injectable()
export class QstashService {
  private readonly receiver = new Receiver({
    currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY!,
    nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY!,
  });

  async verifyRequest(req: any): Promise<boolean> {
    await this.receiver.verify({
      signature: req.headers["upstash-signature"],
      body: req.rawBody.toString(),
    });
    return true;
  }

  describe(req: any): string {
    return String(req.url);
  }
}
"#;
    let guard = |method: &str| {
        format!(
            "import {{ CanActivate, ExecutionContext, Injectable }} from \"@nestjs/common\";\nimport {{ QstashService }} from \"./qstash.service\";\n\n@Injectable()\nexport class SignatureGuard implements CanActivate {{\n  constructor(private readonly qstash: QstashService) {{}}\n  async canActivate(context: ExecutionContext) {{\n    const req = context.switchToHttp().getRequest();\n    return Boolean(await this.qstash.{method}(req));\n  }}\n}}\n"
        )
    };
    let c = "import { Controller, Post, UseGuards } from \"@nestjs/common\";\nimport { SignatureGuard } from \"./signature.guard\";\n\n@Controller(\"jobs\")\n@UseGuards(SignatureGuard)\nexport class JobsController {\n  @Post(\"run\")\n  async handle() {\n    return 1;\n  }\n}\n";
    let verifying = guard("verifyRequest");
    let p = project(
        "/api/jobs/run",
        MAIN,
        &[
            ("src/qstash.service.ts", service),
            ("src/signature.guard.ts", &verifying),
            ("src/jobs.controller.ts", c),
        ],
    );
    assert!(receivers(p.path()).is_empty());
    // The same service, a method that does not verify.
    let describing = guard("describe");
    let p = project(
        "/api/jobs/run",
        MAIN,
        &[
            ("src/qstash.service.ts", service),
            ("src/signature.guard.ts", &describing),
            ("src/jobs.controller.ts", c),
        ],
    );
    assert_eq!(receivers(p.path()), ["src/jobs.controller.ts:8"]);
}

#[test]
fn a_route_nothing_targets_is_a_receiver_only_when_it_reads_the_signature() {
    // Nothing publishes to `/api/jobs/run`: a plain route is left alone.
    let c = controller("@Controller(\"jobs\")", "@Post(\"run\")");
    let p = project("/api/other", MAIN, &[("src/jobs.controller.ts", &c)]);
    assert!(receivers(p.path()).is_empty());
    // It reads the signature header in its parameters and never verifies.
    let c = "import { Controller, Headers, Post } from \"@nestjs/common\";\n\n@Controller(\"jobs\")\nexport class JobsController {\n  @Post(\"run\")\n  async handle(@Headers(\"upstash-signature\") signature: string) {\n    return signature.length;\n  }\n}\n";
    let p = project("/api/other", MAIN, &[("src/jobs.controller.ts", c)]);
    assert_eq!(receivers(p.path()), ["src/jobs.controller.ts:6"]);
}

#[test]
fn a_partial_run_keeps_the_prefix_and_the_guards() {
    let guarded = controller(
        "@Controller(\"jobs\")\n@UseGuards(QstashGuard)",
        "@Post(\"run\")",
    );
    let open = controller("@Controller(\"reports\")", "@Post(\"run\")");
    let p = project(
        "/api/reports/run",
        MAIN,
        &[
            ("src/jobs.controller.ts", &guarded),
            ("src/reports.controller.ts", &open),
        ],
    );
    let run = |file: &str| {
        let out = Command::cargo_bin("qstash-lint")
            .expect("binary")
            .args(["check", file, "--format", "concise", "--color", "never"])
            .current_dir(p.path())
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(run("src/reports.controller.ts")
        .starts_with("src/reports.controller.ts:8:9: error [missing-signature-verification]"));
    assert_eq!(run("src/jobs.controller.ts"), "");
}
