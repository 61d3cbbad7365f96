// Package script runs the JavaScript of triggers in a sandbox: the script of a
// javascript action, which defines
//
//	function handle(event) { … }
//
// and the transform that any action may carry, which defines
//
//	function transform(event) { … }
//
// [Compile] parses a script once and checks that loading it defines the function;
// [Script.Run] calls it with one event and returns what it returned, as JSON. For an
// async javascript action, [Events] reads that result as the events to publish (an
// object, an array of them, or null for none); for a sync one, [Decision] reads
// {"approve": bool, "reason": "…"}. A transform may return any JSON value, which
// replaces the payload.
//
// Scripts run on goja, a JavaScript engine written in Go (ECMAScript 5.1 and much of
// later editions: let and const, arrow functions, classes, destructuring, async
// functions). The event is given as JSON.parse would make it, so numbers beyond 2^53
// lose precision as they do in any JavaScript.
//
// # The sandbox
//
// Nothing a run leaves in globals or built-ins reaches the next one, and one compiled
// Script may run on many goroutines at once. Making a runtime costs a few hundred
// microseconds, most of it in making the guarded built-ins described below, so a Script
// reuses its runtimes: their built-ins are frozen before the first run, each run gets a
// new global object and runs the script's top level in a function scope of its own, and
// a runtime whose run was interrupted is never reused. A script that visibly changes
// built-ins (it names a prototype, or assigns to Math.random and the like) gets a fresh,
// unfrozen runtime for each run instead. On a reused runtime, assigning to a property of
// a built-in does nothing, as on any frozen object outside strict mode.
//
// The runtime has the ECMAScript built-ins and nothing of the host: no require or
// import, no network (fetch, XMLHttpRequest), no file system, no timers (setTimeout),
// no process or environment. Also gone are eval and the Function constructors (code from
// strings throws an EvalError, as under a content security policy), ArrayBuffer,
// DataView and the typed arrays, WeakRef and FinalizationRegistry. Date and
// Math.random work; Date gives the host's clock and time zone. The parser is told not
// to follow sourceMappingURL comments, which goja would otherwise read from the file
// system. console.log, info, warn, error and debug keep one line each, up to
// Options.MaxLogLines lines of 1 KiB, returned by [Script.Exec].
//
// # Limits
//
// A run stops at its time limit (100 ms by default, the loading of the script
// included) and when its context is done; the call stack is at most 1000 calls deep; the
// result at most 240 KiB of JSON; a script at most 64 KiB. Errors tell these apart:
// [ErrTimeout] (a [*TimeoutError]), the context's error, an [*Exception] for what the
// script threw (and for a stack overflow), a [*ResultError] for a result that is too
// large or not JSON.
//
// goja stops script code between two of its instructions, but never inside a built-in
// function, which runs to its end. So that one call cannot run for long or allocate
// much from a small input, the sandbox bounds the built-ins that would:
//
//   - every Array.prototype method, Array.from, Function.prototype.apply, Reflect.apply
//     and Reflect.construct refuse an array or array-like longer than 2^17 (131,072)
//     elements, more than any event can hold (a length costs nothing to make large: new
//     Array(1e9) holds nothing), and an array iterator (spread, for-of, destructuring,
//     new Set(array)) stops after as many steps;
//   - repeat, padStart, padEnd, concat, Array.prototype.join and JSON.stringify make
//     strings of at most 2^19 characters, twice the largest event; splitting, iterating
//     over, or taking the keys of a string is refused when it would make more than 2^17
//     values;
//   - JSON.parse, JSON.stringify, join and flat refuse nesting deeper than 1000 levels,
//     where goja would otherwise recurse on the Go stack, whose overflow ends the
//     process, not the run;
//   - a regular expression that needs backtracking (goja runs those on regexp2) gives
//     up after 1 s ([MaxTimeout]), by then past every run's limit.
//
// Going over one of these throws a RangeError, which the script may catch. goja is
// slow on large inputs (spreading 131,072 array holes takes about 0.3 s), so a built-in
// called just before the limit may still run past it by that much.
//
// If a run does not stop within 50 ms of its limit, being inside a long built-in, Run
// returns the timeout anyway and leaves the run to end on its own goroutine, its result
// discarded; [Abandoned] counts those still going. Run's latency is therefore bounded,
// by about the limit plus 50 ms; the CPU time and memory of such a run are not.
//
// # What "bounded memory" means here
//
// goja has no heap limit, and Go cannot limit the memory of one goroutine. What bounds a
// run's memory is its time: script code allocates only as fast as it runs, so a run
// stopped at 100 ms has allocated at most what 100 ms of JavaScript can (tens of
// megabytes for a loop that pushes objects or doubles a string as fast as it can), plus
// the result, which is checked against its limit while it is written, not after. The
// guards above keep single built-in calls from escaping that bound in the cases that
// are cheap to trigger by accident or on purpose: "x".repeat(1e9), a fill, join or
// spread of new Array(1e9), the flat of an array that holds itself, ArrayBuffer(2**31),
// each of which would otherwise take seconds to minutes, gigabytes, or the process.
//
// They are not a proof. The + operator is not bounded, so a script can double a string
// to tens of millions of characters within its time, and then hand it to what the
// sandbox cannot reach: object spread ({...s}) and for-in are instructions, not
// built-ins, and replace, replaceAll and matchAll are not guarded. Such a run goes on
// after Run has returned, for seconds, and may allocate gigabytes. The memory of the
// process is what finally limits a hostile script: the sandbox makes accidents (an
// endless loop, a runaway recursion, an oversized result) cheap and reported, not
// attacks impossible. Where that matters, run scripts in a process of their own, with an
// operating-system memory limit, and watch Abandoned.
package script
