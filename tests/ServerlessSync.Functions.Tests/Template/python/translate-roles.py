"""Translates template.yaml the way `sam package` + CloudFormation see it, and prints every function's role.

Usage: AWS_DEFAULT_REGION=us-east-1 python3 translate-roles.py TEMPLATE PARAMETERS_JSON

The template's CodeUri and DefinitionUri become s3:// URIs (as `sam package` leaves them), the AWS SAM translator
(aws-sam-translator) turns it into CloudFormation, and the intrinsics of the result are resolved for the given
parameters with a fixed stack (account 123456789012, region us-east-1). Printed as JSON:
{"functions": {LogicalId: {"role": RoleLogicalId, "statements": [{"sid", "effect", "actions", "resources",
"conditions"}]}}, "stateMachineRole": {"role", "statements"} (the sync state machine's role, alike), "resources": [LogicalId...], "names": {"bucket", "table", "stateMachine", "doctorFunction"},
"failedRules": ["Rule: AssertDescription", ...]} (the template's Rules evaluated for the parameters). Every statement's "sid" names where it is written
(Role/Policy[/index]). A failure prints one line on stderr and exits 1.
"""
import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

ACCOUNT = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/serverless-sync/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
STACK_NAME = "serverless-sync"
AWS_MANAGED = {"AWSLambdaBasicExecutionRole": f"arn:{PARTITION}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}


class FixedPolicies:
    def load(self):
        return AWS_MANAGED


class Resolver:
    def __init__(self, template, parameters):
        self.template = template
        self.params = {}
        for name, spec in template.get("Parameters", {}).items():
            value = parameters.get(name, spec.get("Default"))
            if value is None:
                raise ValueError(f"parameter {name} has no value and no default")
            self.params[name] = str(value)
        self.params.update({
            "AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": PARTITION, "AWS::StackId": STACK_ID,
            "AWS::StackName": STACK_NAME, "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None,
        })
        self.conditions = {}
        for name in template.get("Conditions", {}):
            self.condition(name)

    def condition(self, name):
        if name not in self.conditions:
            self.conditions[name] = bool(self.value(self.template["Conditions"][name]))
        return self.conditions[name]

    def ref(self, name):
        if name in self.params:
            return self.params[name]
        resource = self.template["Resources"].get(name)
        if resource is None:
            raise ValueError(f"Ref to unknown {name}")
        kind = resource["Type"]
        if kind == "AWS::IAM::ManagedPolicy":
            return f"arn:{PARTITION}:iam::{ACCOUNT}:policy/{STACK_NAME}-{name}"
        if kind == "AWS::StepFunctions::StateMachine":
            return f"arn:{PARTITION}:states:{REGION}:{ACCOUNT}:stateMachine:{self.state_machine_name(name)}"
        if kind == "AWS::Lambda::Function":
            return f"{STACK_NAME}-{name}"
        if kind == "AWS::DynamoDB::Table":
            return f"{STACK_NAME}-{name}"
        if kind == "AWS::S3::Bucket":
            return self.value(resource["Properties"]["BucketName"])
        if kind == "AWS::IAM::Role":
            return f"{STACK_NAME}-{name}"
        return f"{STACK_NAME}-{name}"

    def state_machine_name(self, name):
        """The name the template gives the state machine (SAM's Name becomes StateMachineName), else its logical id."""
        properties = self.template["Resources"][name].get("Properties", {})
        given = properties.get("StateMachineName", properties.get("Name"))
        return name if given is None else self.value(given)

    def get_att(self, name, attribute):
        resource = self.template["Resources"][name]
        kind = resource["Type"]
        ref = self.ref(name)
        if kind == "AWS::DynamoDB::Table" and attribute == "Arn":
            return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{ref}"
        if kind == "AWS::S3::Bucket" and attribute == "Arn":
            return f"arn:{PARTITION}:s3:::{ref}"
        if kind == "AWS::Lambda::Function" and attribute == "Arn":
            return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{ref}"
        if kind == "AWS::IAM::Role" and attribute == "Arn":
            return f"arn:{PARTITION}:iam::{ACCOUNT}:role/{ref}"
        if kind == "AWS::StepFunctions::StateMachine" and attribute == "Name":
            return self.state_machine_name(name)
        if kind == "AWS::Logs::LogGroup" and attribute == "Arn":
            return f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{self.ref(name)}:*"
        if kind == "AWS::SNS::Topic" and attribute == "TopicArn":
            return f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{ref}"
        return f"{ref}.{attribute}"

    def sub(self, text, variables):
        out, i = "", 0
        while i < len(text):
            start = text.find("${", i)
            if start < 0:
                out += text[i:]
                break
            out += text[i:start]
            end = text.index("}", start)
            name = text[start + 2:end]
            if name.startswith("!"):
                out += "${" + name[1:] + "}"
            elif name in variables:
                out += str(variables[name])
            elif "." in name and not name.startswith("AWS::"):
                resource, attribute = name.split(".", 1)
                out += self.get_att(resource, attribute)
            else:
                out += str(self.ref(name))
            i = end + 1
        return out

    def value(self, node):
        if isinstance(node, list):
            items = [self.value(item) for item in node]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                value = self.ref(arg)
                return NO_VALUE if value is None else value
            if key == "Fn::GetAtt":
                parts = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(parts[0], self.value(parts[1]))
            if key == "Fn::Sub":
                if isinstance(arg, list):
                    return self.sub(arg[0], {k: self.value(v) for k, v in arg[1].items()})
                return self.sub(arg, {})
            if key == "Fn::If":
                return self.value(arg[1] if self.condition(arg[0]) else arg[2])
            if key == "Fn::Equals":
                return str(self.value(arg[0])) == str(self.value(arg[1]))
            if key == "Fn::Not":
                return not self.value(arg[0])
            if key == "Fn::And":
                return all(self.value(a) for a in arg)
            if key == "Fn::Or":
                return any(self.value(a) for a in arg)
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::Select":
                return self.value(arg[1])[int(self.value(arg[0]))]
            if key == "Fn::Split":
                return self.value(arg[1]).split(arg[0])
            if key == "Fn::Join":
                return arg[0].join(str(v) for v in self.value(arg[1]))
            if key == "Fn::FindInMap":
                return self.template["Mappings"][self.value(arg[0])][self.value(arg[1])][self.value(arg[2])]
            if key == "Fn::ToJsonString":
                return json.dumps(self.value(arg))
        return {k: v for k, v in ((k, self.value(v)) for k, v in node.items()) if v is not NO_VALUE}


NO_VALUE = object()


def listed(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(document, sid):
    out = []
    for index, statement in enumerate(listed(document.get("Statement"))):
        out.append({
            "sid": f"{sid}/{index}",
            "effect": statement["Effect"],
            "actions": listed(statement.get("Action")),
            "resources": listed(statement.get("Resource")),
            "conditions": statement.get("Condition", {}),
        })
    return out


def main():
    template_path, parameters = sys.argv[1], json.loads(sys.argv[2])
    with open(template_path, encoding="utf-8") as f:
        sam = yaml_parse(f.read())
    for resource in sam["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function":
            properties["CodeUri"] = "s3://sam-artifacts/functions.zip"
        if resource["Type"] == "AWS::Serverless::StateMachine":
            properties["DefinitionUri"] = "s3://sam-artifacts/sync.asl.json"
    sam.get("Globals", {}).get("Function", {}).pop("CodeUri", None)
    failed_rules = []
    rules_resolver = Resolver(sam, parameters)
    for rule_name, rule in sam.get("Rules", {}).items():
        if "RuleCondition" in rule and not rules_resolver.value(rule["RuleCondition"]):
            continue
        for assertion in rule["Assertions"]:
            if not rules_resolver.value(assertion["Assert"]):
                failed_rules.append(f"{rule_name}: {assertion.get('AssertDescription', '')}")
    cfn = transform(sam, parameters, FixedPolicies())
    resolver = Resolver(cfn, parameters)
    resources = cfn["Resources"]
    present = {name: r for name, r in resources.items() if "Condition" not in r or resolver.condition(r["Condition"])}
    managed = {}
    for name, resource in present.items():
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            managed[resolver.ref(name)] = (name, resolver.value(resource["Properties"]["PolicyDocument"]))
    functions = {}
    for name, resource in present.items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        role_node = resource["Properties"]["Role"]
        role_id = role_node["Fn::GetAtt"][0] if isinstance(role_node, dict) else None
        role = present[role_id]["Properties"]
        found = []
        for arn in resolver.value(role.get("ManagedPolicyArns", [])):
            if arn in managed:
                policy_id, document = managed[arn]
                found += statements(document, policy_id)
            elif ":iam::aws:policy/" in arn:
                found.append({"sid": arn, "effect": "AwsManaged", "actions": [], "resources": [], "conditions": {}})
            else:
                raise ValueError(f"{role_id} names the unknown managed policy {arn}")
        for policy in resolver.value(role.get("Policies", [])):
            found += statements(policy["PolicyDocument"], f"{role_id}/{policy['PolicyName']}")
        functions[name] = {"role": role_id, "statements": found}
    # The state machine's own role (SAM makes it from the state machine's Policies), in the same form.
    state_machine = resolver.template["Resources"]["SyncStateMachine"]["Properties"]
    state_machine_role_id = state_machine["RoleArn"]["Fn::GetAtt"][0]
    state_machine_statements = []
    for policy in resolver.value(present[state_machine_role_id]["Properties"].get("Policies", [])):
        state_machine_statements += statements(policy["PolicyDocument"], f"{state_machine_role_id}/{policy['PolicyName']}")
    names = {
        "bucket": resolver.ref("StagingBucket"),
        "table": resolver.ref("StatusTable"),
        "stateMachine": resolver.ref("SyncStateMachine"),
        "doctorFunction": resolver.get_att("DoctorFunction", "Arn"),
    }
    print(json.dumps({"functions": functions, "stateMachineRole": {"role": state_machine_role_id, "statements": state_machine_statements},
                      "resources": sorted(present), "names": names, "failedRules": failed_rules}, indent=1))


try:
    main()
except Exception as e:  # one line for the test to show
    print(f"translate-roles: {type(e).__name__}: {e}".replace("\n", " "), file=sys.stderr)
    sys.exit(1)
