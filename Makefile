# Builds the Lambda functions for `sam build` (template.yaml: CodeUri ".", Metadata BuildMethod: makefile).
#
# SAM runs `make build-<LogicalId>` once per function with ARTIFACTS_DIR set to that function's folder under
# .aws-sam/build/. All the functions are one assembly, so the first target publishes
# src/ServerlessSync.Functions once (Release, framework-dependent, ReadyToRun) into PUBLISH_DIR and every target
# copies that output; a later build publishes again only when a source file changed.
#
# Run it in place (samconfig.toml: build_in_source = true): the publish needs the whole repository's projects,
# and a copy of the repository per function would publish eight times. Not for `sam build --parallel`: parallel
# targets would publish into one folder at once (samconfig.toml keeps parallel off).

# Must match template.yaml's Architectures: x86_64 -> linux-x64, arm64 -> linux-arm64.
LAMBDA_RID ?= linux-x64
FUNCTIONS_PROJECT := src/ServerlessSync.Functions/ServerlessSync.Functions.csproj
PUBLISH_DIR ?= .aws-sam/functions-publish/$(LAMBDA_RID)
PUBLISHED := $(PUBLISH_DIR)/.published

FUNCTIONS := StartRunFunction ExtractFunction LoadFunction LoadCompletedFunction RecordObjectFunction \
	CleanupFunction FinishRunFunction StatusApiFunction SubmitExportFunction CheckExportFunction DoctorFunction
BUILD_TARGETS := $(addprefix build-,$(FUNCTIONS))

# What the published assembly depends on: every project file and source under src/ and the shared build files.
SOURCES := $(shell find src -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.json' \) \
	-not -path '*/bin/*' -not -path '*/obj/*') \
	Directory.Build.props Directory.Packages.props global.json BannedSymbols.txt .editorconfig

.PHONY: $(BUILD_TARGETS) publish clean-publish

$(BUILD_TARGETS): $(PUBLISHED)
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: run this target through sam build" >&2; exit 1; }
	mkdir -p "$(ARTIFACTS_DIR)"
	cp -R "$(PUBLISH_DIR)/." "$(ARTIFACTS_DIR)/"
	rm -f "$(ARTIFACTS_DIR)/.published"

publish: $(PUBLISHED)

$(PUBLISHED): $(SOURCES)
	rm -rf "$(PUBLISH_DIR)"
	dotnet publish $(FUNCTIONS_PROJECT) --nologo -c Release -r $(LAMBDA_RID) --self-contained false \
		-p:PublishReadyToRun=true -p:PublishDocumentationFile=false -p:PublishReferencesDocumentationFiles=false \
		-o "$(PUBLISH_DIR)"
	touch "$@"

clean-publish:
	rm -rf "$(PUBLISH_DIR)"
