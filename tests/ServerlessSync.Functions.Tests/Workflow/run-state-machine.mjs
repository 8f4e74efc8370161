// Runs one execution of a state machine with aws-local-stepfunctions 3.0.0, every Task state routed to a
// local HTTP endpoint (the C# test's), and prints the execution's outcome as one JSON line on stdout.
//
//   node run-state-machine.mjs < request.json
//
// request.json: {
//   "definition": { …ASL, substitutions already made… },
//   "input": { …execution input… },
//   "context": { "Execution": {"Id","Name",…}, "StateMachine": {…}, "Task": {"Token": "<placeholder>"} },
//   "taskEndpoint": "http://127.0.0.1:PORT/task"
// }
// stdout: {"status":"SUCCEEDED","output":…,"events":[…]} or {"status":"FAILED","error":"…","cause":"…","events":[…]}
//
// Each Task state POSTs {"stateName","resource","input","taskToken"?} (input = the task's input after
// InputPath and Parameters) and expects {"result": …} (the task's result, before ResultSelector) or
// {"error": "…", "cause": "…"} (the task failed: error is what Retry and Catch match, cause what Catch passes on).
//
// What aws-local-stepfunctions does not do and this runner makes up for:
// - $$.Task.Token is whatever the context says, the same for every task; Step Functions gives each task
//   its own. The context carries a placeholder and each invocation gets a fresh token in its place.
// - Retry waits its real intervals; every retrier here waits 0 ms (retryIntervalOverrides), so no test waits.
// - Wait states wait their real time; every one here waits 0 ms (waitTimeOverrides). The C# side moves its
//   injected clock by the wait the state asked for, where a test needs time to pass (LocalWorkflow.BeforeTask).
// - Node 20 lacks Promise.withResolvers, which the package uses (it targets Node 22): polyfilled below,
//   before the package is loaded.
//
// How the package treats what the ASL uses: a local handler's return value is the task's result as is (so a
// lambda:invoke task gets the integration's {"Payload", "StatusCode", …} from the endpoint, and a
// .waitForTaskToken task the callback's output); a thrown error is matched by its name against Retry's and
// Catch's ErrorEquals (States.ALL and States.TaskFailed match any) and reaches Catch as {"Error": name,
// "Cause": message}. Each Map item runs with a context rebuilt from the run's, so $$.Task.Token and
// $$.Execution.Name hold inside the item processor, $$.Map.Item only in ItemSelector (where the ASL reads it),
// and $$.Execution.Input there would be the item (the ASL does not read it). TimeoutSeconds is a Node timer
// (at most 2^31 ms, about 24.8 days); HeartbeatSeconds is not implemented (the ASL sets none).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';

if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const nodeModules = process.env.SSYNC_TEST_NODE_MODULES;
if (!nodeModules) {
  fail('SSYNC_TEST_NODE_MODULES is not set: it names the node_modules folder tests/stack/up.sh installed aws-local-stepfunctions into');
}

const { StateMachine } = await import(
  pathToFileURL(join(nodeModules, 'aws-local-stepfunctions', 'build', 'main.node.esm.js')).href
);

const request = JSON.parse(readFileSync(0, 'utf8'));
const { definition, input, context, taskEndpoint } = request;
const tokenPlaceholder = context?.Task?.Token;

// Every state of the definition, nested ones (Map item processors, Parallel branches) included.
function* statesOf(machine) {
  for (const [name, state] of Object.entries(machine.States ?? {})) {
    yield [name, state];
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) yield* statesOf(processor);
    for (const branch of state.Branches ?? []) yield* statesOf(branch);
  }
}

// The token Step Functions would give this one task, wherever the definition put $$.Task.Token.
function withOwnToken(value, token) {
  if (value === tokenPlaceholder) return token;
  if (Array.isArray(value)) return value.map((v) => withOwnToken(v, token));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withOwnToken(v, token)]));
  }
  return value;
}

function containsPlaceholder(value) {
  return tokenPlaceholder !== undefined && JSON.stringify(value).includes(JSON.stringify(tokenPlaceholder));
}

class TaskFailure extends Error {
  constructor(error, cause) {
    super(cause ?? '');
    this.name = error;
  }
}

function taskHandler(stateName, resource) {
  return async (taskInput) => {
    const taskToken = containsPlaceholder(taskInput) ? `local-task-${randomUUID()}` : undefined;
    const body = { stateName, resource, input: taskToken ? withOwnToken(taskInput, taskToken) : taskInput };
    if (taskToken) body.taskToken = taskToken;
    const response = await fetch(taskEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      // The endpoint itself broke: not a task outcome the state machine should see.
      fail(`task endpoint answered ${response.status} for state ${stateName}: ${text}`);
    }
    const answer = JSON.parse(text);
    if (answer.error !== undefined) throw new TaskFailure(answer.error, answer.cause);
    return answer.result;
  };
}

const taskResourceLocalHandlers = {};
const retryIntervalOverrides = {};
const waitTimeOverrides = {};
for (const [name, state] of statesOf(definition)) {
  if (state.Type === 'Task') taskResourceLocalHandlers[name] = taskHandler(name, state.Resource);
  if (state.Retry) retryIntervalOverrides[name] = 0;
  if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
}

const execution = new StateMachine(definition).run(input, {
  overrides: { taskResourceLocalHandlers, retryIntervalOverrides, waitTimeOverrides },
  context,
});

// The execution's history, flattened: which states it entered, which failed, retried or were caught.
const events = [];
const collecting = (async () => {
  for await (const event of execution.eventLogs) {
    if (!event.state) continue;
    const entry = { type: event.type, state: event.state.name };
    if (event.index !== undefined) entry.index = event.index;
    if (event.Error !== undefined) entry.error = event.Error;
    events.push(entry);
  }
})();

let outcome;
try {
  outcome = { status: 'SUCCEEDED', output: await execution.result };
} catch (e) {
  const cause = e.name === 'ExecutionError' ? e.cause : e;
  outcome = { status: 'FAILED', error: cause?.name ?? 'Error', cause: cause?.message ?? String(e) };
}
await collecting;
process.stdout.write(JSON.stringify({ ...outcome, events }) + '\n');

function fail(message) {
  process.stderr.write(`run-state-machine: ${message}\n`);
  process.exit(2);
}
