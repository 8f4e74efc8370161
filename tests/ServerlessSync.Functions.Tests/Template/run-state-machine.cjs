// Runs a state machine definition in aws-local-stepfunctions with every Task answered by a scripted response, and
// prints what happened as JSON: {"status", "output" | "error" + "cause", "calls": [{"state", "payload"}]}.
// Reads {"definition", "input", "responses"} on stdin. responses[stateName] is one response, a list used one per
// call, or {"byKey": {key: response | list}} keyed by the call's Payload.object.objectName or Payload.manifestKey.
// A response is {"payload": x} (a lambda:invoke result, {StatusCode, Payload: x}), {"result": x} (the task's result
// as is: a waitForTaskToken callback's output) or {"error": name, "cause": text} (the task fails with that error).
// Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3 uses.
if (!Promise.withResolvers) {
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
const { StateMachine } = require('aws-local-stepfunctions');

async function main() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const scenario = JSON.parse(text);
  const machine = new StateMachine(scenario.definition);
  const calls = [];
  const pending = JSON.parse(JSON.stringify(scenario.responses));

  const next = (holder, key) => {
    const entry = holder[key];
    if (entry === undefined) throw new Error(`no scripted response for ${key}`);
    return Array.isArray(entry) ? (entry.length > 1 ? entry.shift() : entry[0]) : entry;
  };
  const answer = (state) => async (input) => {
    const payload = input.Payload;
    calls.push({ state, payload });
    let response = next(pending, state);
    if (response.byKey) response = next(response.byKey, payload?.object?.objectName ?? payload?.manifestKey);
    if (response.error) {
      const error = new Error(response.cause ?? response.error);
      error.name = response.error;
      throw error;
    }
    return 'result' in response ? response.result : { StatusCode: 200, Payload: response.payload };
  };

  const taskStates = [];
  const waitStates = [];
  const collect = (states) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') taskStates.push(name);
      if (state.Type === 'Wait') waitStates.push(name);
      if (state.ItemProcessor) collect(state.ItemProcessor.States);
    }
  };
  collect(scenario.definition.States);
  const handlers = Object.fromEntries(taskStates.map((name) => [name, answer(name)]));
  const noWaits = Object.fromEntries(taskStates.map((name) => [name, 0]));

  const execution = machine.run(scenario.input, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: noWaits, waitTimeOverrides: Object.fromEntries(waitStates.map((name) => [name, 0])) },
    context: { Execution: { Name: 'execution-1' }, Task: { Token: 'task-token-1' } },
  });
  let outcome;
  try {
    outcome = { status: 'SUCCEEDED', output: await execution.result };
  } catch (failure) {
    const cause = failure.cause ?? failure;
    outcome = { status: 'FAILED', error: cause.name, cause: cause.message };
  }
  process.stdout.write(JSON.stringify({ ...outcome, calls }));
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(2);
});
