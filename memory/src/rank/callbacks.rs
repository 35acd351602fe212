//! The C side of `rank`: how the functions are registered with FTS5 ([`create`]) and what
//! FTS5 calls for each matching row (`wundr_rank`, `wundr_collect`). Key type: [`Query`], the
//! per-statement data FTS5 keeps with the cursor.

use std::ffi::{c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::Arc;

use rusqlite::Connection;
use rusqlite::ffi;

use super::recency;
use super::{Ranker, relevance, term_weight};
use crate::facts::{EntryFact, tier_code};
use crate::types::Tier;

/// Registers `wundr_rank` and `wundr_collect` on `conn`, each owning a clone of `ranker`.
pub(super) fn create(conn: &Connection, ranker: &Arc<Ranker>) -> rusqlite::Result<()> {
    let api = fts5_api(conn)?;
    let functions: [(&std::ffi::CStr, ffi::fts5_extension_function); 2] = [
        (c"wundr_rank", Some(wundr_rank)),
        (c"wundr_collect", Some(wundr_collect)),
    ];
    for (name, function) in functions {
        let user_data = Arc::into_raw(Arc::clone(ranker))
            .cast_mut()
            .cast::<c_void>();
        // SAFETY: `api` is the live fts5_api of `conn`'s database (checked non-null by
        // `fts5_api`); the name is a NUL-terminated literal; `user_data` is an owned Arc that
        // FTS5 hands back to `drop_ranker` exactly once, when the function is replaced or the
        // connection closes.
        let rc = unsafe {
            match (*api).xCreateFunction {
                Some(create) => create(api, name.as_ptr(), user_data, function, Some(drop_ranker)),
                None => ffi::SQLITE_MISUSE,
            }
        };
        if rc != ffi::SQLITE_OK {
            // SAFETY: FTS5 did not take ownership; this is the Arc made above, dropped once.
            drop(unsafe { Arc::from_raw(user_data.cast::<Ranker>()) });
            return Err(failure(rc, "cannot register the memory ranking functions"));
        }
    }
    Ok(())
}

fn failure(rc: c_int, message: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some(message.to_owned()))
}

/// The connection's `fts5_api`, obtained the documented way: `SELECT fts5(?1)` with a
/// pointer bound as type "fts5_api_ptr".
fn fts5_api(conn: &Connection) -> rusqlite::Result<*mut ffi::fts5_api> {
    let mut api: *mut ffi::fts5_api = ptr::null_mut();
    let mut statement: *mut ffi::sqlite3_stmt = ptr::null_mut();
    // SAFETY: `conn.handle()` is the open database, used on this thread only while `conn`
    // is borrowed. The statement is finalized on every path. The bound pointer targets `api`,
    // which outlives the statement; FTS5 writes one `fts5_api*` through it during the step.
    let rc = unsafe {
        let db = conn.handle();
        let mut rc = ffi::sqlite3_prepare_v2(
            db,
            c"SELECT fts5(?1)".as_ptr(),
            -1,
            &mut statement,
            ptr::null_mut(),
        );
        if rc == ffi::SQLITE_OK {
            rc = ffi::sqlite3_bind_pointer(
                statement,
                1,
                (&raw mut api).cast::<c_void>(),
                c"fts5_api_ptr".as_ptr(),
                None,
            );
        }
        if rc == ffi::SQLITE_OK {
            rc = ffi::sqlite3_step(statement);
        }
        ffi::sqlite3_finalize(statement);
        rc
    };
    if rc != ffi::SQLITE_ROW || api.is_null() {
        return Err(failure(
            if rc == ffi::SQLITE_ROW {
                ffi::SQLITE_ERROR
            } else {
                rc
            },
            "this SQLite has no FTS5",
        ));
    }
    Ok(api)
}

unsafe extern "C" fn drop_ranker(user_data: *mut c_void) {
    // SAFETY: `user_data` is the Arc made by `Ranker::register`; FTS5 calls this once.
    drop(unsafe { Arc::from_raw(user_data.cast::<Ranker>()) });
}

/// Per-statement data: computed at the statement's first row (FTS5 keeps it with the
/// cursor and frees it with `drop_query`).
pub(super) struct Query {
    /// Entries in the table.
    pub rows: i64,
    /// Each phrase's IDF (`wundr_rank` only; `wundr_collect` counts document frequencies as
    /// it goes instead).
    pub idf: Vec<f64>,
    /// What a row matching every phrase would score, [`super::query_mass`] (`wundr_rank`
    /// only).
    pub mass: f64,
    pub average_tokens: f64,
    /// Scratch: occurrences of each phrase in the current row.
    pub frequency: Vec<f64>,
}

unsafe extern "C" fn drop_query(query: *mut c_void) {
    // SAFETY: made by `Box::into_raw` in `query_data`; FTS5 calls this once.
    drop(unsafe { Box::from_raw(query.cast::<Query>()) });
}

unsafe extern "C" fn count_row(
    _api: *const ffi::Fts5ExtensionApi,
    _fts: *mut ffi::Fts5Context,
    count: *mut c_void,
) -> c_int {
    // SAFETY: `count` is the `&mut i64` passed to xQueryPhrase in `query_data`, alive for
    // the whole (synchronous) call.
    unsafe { *count.cast::<i64>() += 1 };
    ffi::SQLITE_OK
}

unsafe extern "C" fn wundr_rank(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    context: *mut ffi::sqlite3_context,
    count: c_int,
    values: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: FTS5's own arguments for this call.
    unsafe { guarded(api, fts, context, count, values, Mode::Score) }
}

unsafe extern "C" fn wundr_collect(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    context: *mut ffi::sqlite3_context,
    count: c_int,
    values: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: FTS5's own arguments for this call.
    unsafe { guarded(api, fts, context, count, values, Mode::Collect) }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Return `relevance × recency`, IDF counted up front (`wundr_rank`).
    Score,
    /// Record the row in the ranker, counting document frequencies (`wundr_collect`).
    Collect,
}

/// Runs [`row`] and sets the SQL result; a panic must not unwind into SQLite's C frames.
///
/// # Safety
/// The arguments must be what FTS5 passed to the calling extension function.
unsafe fn guarded(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    context: *mut ffi::sqlite3_context,
    count: c_int,
    values: *mut *mut ffi::sqlite3_value,
    mode: Mode,
) {
    // SAFETY: per this function's contract (see `row`).
    let outcome = catch_unwind(AssertUnwindSafe(|| unsafe {
        row(api, fts, count, values, mode)
    }));
    // SAFETY: `context` is this call's result context.
    unsafe {
        match outcome {
            Ok(Ok(Some(score))) => ffi::sqlite3_result_double(context, score),
            Ok(Ok(None)) => ffi::sqlite3_result_null(context),
            Ok(Err(rc)) => ffi::sqlite3_result_error_code(context, rc),
            Err(_) => ffi::sqlite3_result_error(context, c"memory ranking failed".as_ptr(), -1),
        }
    }
}

/// Calls an FTS5 API entry, turning a missing one into SQLITE_MISUSE.
macro_rules! call {
    ($api:expr, $name:ident, $($arg:expr),*) => {
        match $api.$name {
            Some(f) => f($($arg),*),
            None => return Err(ffi::SQLITE_MISUSE),
        }
    };
}

/// Scores (`wundr_rank`; -1 for an entry of another tier than asked or below the relevance
/// floor) or records
/// (`wundr_collect`, which leaves the tier to `Ranker::top`) the current row.
///
/// # Safety
/// `api`, `fts` and `values[..count]` must be what FTS5 passed to this call of a function
/// registered by [`create`].
unsafe fn row(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    count: c_int,
    values: *mut *mut ffi::sqlite3_value,
    mode: Mode,
) -> Result<Option<f64>, c_int> {
    if count != 2 {
        return Err(ffi::SQLITE_ERROR);
    }
    // SAFETY: per this function's contract the pointers are FTS5's own for this call, the
    // user data is the `Ranker` registered with the function (alive until `drop_ranker`), and
    // `values` holds `count` (2) values.
    unsafe {
        let api = &*api;
        let ranker = &*call!(api, xUserData, fts).cast::<Ranker>();
        let now = ffi::sqlite3_value_int64(*values);
        let wanted = ffi::sqlite3_value_int(*values.add(1));
        let query = &mut *query_data(api, fts, mode == Mode::Score)?;

        let seq = call!(api, xRowid, fts);
        frequencies(api, fts, &mut query.frequency)?;
        if mode == Mode::Collect {
            // Facts are looked up after the walk (`Ranker::top`), where the cache misses of
            // thousands of independent lookups overlap instead of stalling the walk one by one.
            let mut collected = ranker.collected();
            if !collected.started() {
                collected.start(query, now, wanted, ranker.known_seqs());
            }
            collected.count_phrases(&query.frequency);
            let measured = if collected.is_known(seq) {
                None
            } else {
                Some(tokens(api, fts, None)?)
            };
            collected.push(seq, measured, &query.frequency);
            return Ok(Some(1.0));
        }
        let fact = ranker.fact(seq);
        let other_tier =
            fact.is_some_and(|fact| wanted != 0 && wanted != c_int::from(tier_code(fact.tier)));
        if other_tier {
            return Ok(Some(-1.0));
        }
        let tokens = tokens(api, fts, fact)?;
        let matched = query
            .idf
            .iter()
            .zip(&query.frequency)
            .filter(|(_, f)| **f > 0.0)
            .map(|(idf, f)| (*idf, term_weight(*f, tokens, query.average_tokens)));
        let relevance = relevance(matched, query.mass);
        if relevance < ranker.config.min_relevance {
            return Ok(Some(-1.0));
        }
        Ok(Some(relevance * weight_of(now, fact, ranker)))
    }
}

/// The row's recency weight. An entry not yet in the facts was added since the writer's
/// last refresh: brand new.
fn weight_of(now: i64, fact: Option<EntryFact>, ranker: &Ranker) -> f64 {
    let (timestamp, tier) = fact.map_or((now, Tier::Episodic), |f| (f.timestamp, f.tier));
    recency(now.saturating_sub(timestamp), ranker.config.half_life(tier))
}

/// The row's length in tokens, from the facts or else from FTS5.
///
/// # Safety
/// As for [`row`].
unsafe fn tokens(
    api: &ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    fact: Option<EntryFact>,
) -> Result<f64, c_int> {
    if let Some(fact) = fact {
        return Ok(f64::from(fact.tokens));
    }
    let mut tokens: c_int = 0;
    // SAFETY: per this function's contract.
    check(unsafe { call!(api, xColumnSize, fts, -1, &mut tokens) })?;
    Ok(f64::from(tokens))
}

/// Occurrences of each phrase in the current row, counted as FTS5's bm25 counts them.
///
/// # Safety
/// As for [`row`].
unsafe fn frequencies(
    api: &ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    frequency: &mut [f64],
) -> Result<(), c_int> {
    frequency.iter_mut().for_each(|f| *f = 0.0);
    let mut instances: c_int = 0;
    // SAFETY: per this function's contract; the out-pointers are live locals.
    unsafe {
        check(call!(api, xInstCount, fts, &mut instances))?;
        for i in 0..instances {
            let (mut phrase, mut column, mut offset): (c_int, c_int, c_int) = (0, 0, 0);
            check(call!(
                api,
                xInst,
                fts,
                i,
                &mut phrase,
                &mut column,
                &mut offset
            ))?;
            if let Some(f) = usize::try_from(phrase)
                .ok()
                .and_then(|p| frequency.get_mut(p))
            {
                *f += 1.0;
            }
        }
    }
    Ok(())
}

fn check(rc: c_int) -> Result<(), c_int> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rc)
    }
}

/// The statement's [`Query`], computed at the first row as FTS5's bm25 does (the IDF walk
/// only `with_idf`).
///
/// # Safety
/// As for [`row`].
unsafe fn query_data(
    api: &ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    with_idf: bool,
) -> Result<*mut Query, c_int> {
    // SAFETY: FTS5's own context for this call; aux data set here is a `Box<Query>` that
    // FTS5 frees with `drop_query`, and `count` outlives the synchronous xQueryPhrase.
    unsafe {
        let existing = call!(api, xGetAuxdata, fts, 0).cast::<Query>();
        if !existing.is_null() {
            return Ok(existing);
        }
        let mut rows: i64 = 0;
        check(call!(api, xRowCount, fts, &mut rows))?;
        let rows = rows.max(1);
        let mut tokens: i64 = 0;
        check(call!(api, xColumnTotalSize, fts, -1, &mut tokens))?;
        let phrases = usize::try_from(call!(api, xPhraseCount, fts)).unwrap_or(0);
        let mut idf = Vec::with_capacity(phrases);
        let mut seen = Vec::with_capacity(phrases);
        for phrase in (0..phrases).filter(|_| with_idf) {
            let mut hits: i64 = 0;
            let index = c_int::try_from(phrase).map_err(|_| ffi::SQLITE_ERROR)?;
            check(call!(
                api,
                xQueryPhrase,
                fts,
                index,
                (&raw mut hits).cast::<c_void>(),
                Some(count_row)
            ))?;
            idf.push(super::idf(rows, hits));
            seen.push(hits > 0);
        }
        let mass = super::query_mass(idf.iter().copied().zip(seen.iter().copied()));
        let query = Box::into_raw(Box::new(Query {
            rows,
            idf,
            mass,
            average_tokens: (tokens as f64 / rows as f64).max(f64::MIN_POSITIVE),
            frequency: vec![0.0; phrases],
        }));
        let rc = call!(
            api,
            xSetAuxdata,
            fts,
            query.cast::<c_void>(),
            Some(drop_query)
        );
        if rc != ffi::SQLITE_OK {
            // xSetAuxdata calls the destructor itself when it fails.
            return Err(rc);
        }
        Ok(query)
    }
}
