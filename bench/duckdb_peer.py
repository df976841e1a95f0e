#!/usr/bin/env python3
"""Independent computation of Tværs' summary figures with DuckDB SQL.

The peer for `tvaers bench` and for the agreement test: it reads the same raw exports (the default
profile's CSV files, as `tvaers generate` writes them) and computes cost allocation, coverage,
concentration and complexity with SQL written from the semantics in crates/analysis (not from its
code). It prints one JSON object with the summary figures and the wall time.

Usage: duckdb_peer.py --input DIR --from YYYY-MM-DD --to YYYY-MM-DD [--threads N] [--rules-sql FILE]

With --rules-sql FILE (written by `tvaers_rules::sql::peer_input_json`: the rules of a rules file
translated to SQL, and the combination-discovery query), it also runs each rule's queries against
the tables `persons(cpr, familie_id, birth_year)` and `rsp` (spells clipped to the period with their
catalogue attributes) and adds "rules" (members per rule) and "discovery" (frequent concurrent
service combinations) to the output.
"""
import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
import time

try:
    import duckdb
except ImportError:  # say so loudly: a silent skip would hide a missing peer
    sys.exit("duckdb_peer.py: the Python package 'duckdb' is not installed (pip install -r bench/requirements.txt)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--from", dest="from_", required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--rules-sql", dest="rules_sql", default=None,
                    help="JSON with rule queries and the discovery query (tvaers_rules::sql)")
    args = ap.parse_args()
    d = args.input
    f = lambda name: os.path.join(d, name).replace("'", "''")

    t0 = time.perf_counter()
    con = duckdb.connect()
    # Spill (if any) goes to a private temporary directory, never into the working directory.
    spill = tempfile.mkdtemp(prefix="tvaers-duckdb-")
    atexit.register(shutil.rmtree, spill, True)
    con.execute(f"SET temp_directory = '{spill}'")
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    P_FROM, P_TO = f"DATE '{args.from_}'", f"DATE '{args.to}'"

    # Everything is read as text and converted here, so the peer does its own parsing.
    con.execute(f"""
    CREATE TABLE persons AS
      SELECT replace(cpr, '-', '') AS cpr, familie_id,
             -- dates are ISO or dd-mm-yyyy (also with . or /), recognised per value
             year(coalesce(try_cast(trim(foedselsdato) AS DATE),
                           CAST(try_strptime(trim(foedselsdato), ['%d-%m-%Y', '%d.%m.%Y', '%d/%m/%Y']) AS DATE)))
               AS birth_year
      FROM read_csv('{f("personer.csv")}', header = true, all_varchar = true);
    CREATE TABLE catalogue AS
      SELECT kode, forvaltning, enhed, funktion, art, kategorier
      FROM read_csv('{f("ydelseskatalog.csv")}', header = true, all_varchar = true);
    CREATE TABLE spells AS
      SELECT replace(cpr, '-', '') AS cpr, ydelse,
             CAST("start" AS DATE) AS s, CAST(nullif(slut, '') AS DATE) AS e,
             CAST(CAST(replace(omfang, ',', '.') AS DECIMAL(18, 3)) * 1000 AS BIGINT) AS volume_milli,
             nullif(trim(kontaktperson), '') AS kontaktperson
      FROM read_csv('{f("forloeb.csv")}', header = true, delim = ';', all_varchar = true);
    CREATE TABLE postings AS
      SELECT CAST(strptime(bogfoeringsdato, '%d-%m-%Y') AS DATE) AS d, funktion,
             CAST(CAST(replace(replace(beloeb, '.', ''), ',', '.') AS DECIMAL(18, 2)) * 100 AS BIGINT) AS amount_ore,
             replace(nullif(cpr, ''), '-', '') AS cpr, nullif(ydelse, '') AS ydelse
      FROM read_csv('{f("posteringer.csv")}', header = true, delim = ';', encoding = 'latin-1', all_varchar = true);
    CREATE TABLE prices AS
      SELECT ydelse, CAST(aar AS INTEGER) AS y,
             CAST(CAST(pris AS DECIMAL(18, 2)) * 100 AS BIGINT) AS price_ore
      FROM read_csv('{f("enhedspriser.csv")}', header = true, all_varchar = true);
    """)
    t_read = time.perf_counter()

    con.execute(f"""
    CREATE TABLE per AS SELECT * FROM postings WHERE d BETWEEN {P_FROM} AND {P_TO};
    CREATE TABLE booked AS SELECT cpr, sum(amount_ore) AS amt FROM per WHERE cpr IS NOT NULL GROUP BY cpr;
    CREATE TABLE bpairs AS SELECT DISTINCT cpr, funktion FROM per WHERE cpr IS NOT NULL;
    -- spells clipped to the period, with their service's attributes
    CREATE TABLE sp AS
      SELECT row_number() OVER () AS rid,
             s.cpr, s.ydelse, s.volume_milli, c.funktion, c.enhed, c.forvaltning,
             greatest(s.s, {P_FROM}) AS a, least(coalesce(s.e, {P_TO}), {P_TO}) AS b
      FROM spells s JOIN catalogue c ON s.ydelse = c.kode
      WHERE greatest(s.s, {P_FROM}) <= least(coalesce(s.e, {P_TO}), {P_TO});
    -- activity cost: spells not booked on their function for that person, split by calendar year,
    -- priced at the year's price or the latest earlier one (ASOF join), rounded halves up.
    CREATE TABLE seg AS
      SELECT sp.*, y,
             greatest(a, make_date(y, 1, 1)) AS sa, least(b, make_date(y, 12, 31)) AS sb
      FROM sp CROSS JOIN LATERAL (SELECT unnest(range(year(a), year(b) + 1)) AS y)
      WHERE NOT EXISTS (SELECT 1 FROM bpairs bp WHERE bp.cpr = sp.cpr AND bp.funktion = sp.funktion);
    CREATE TABLE act AS
      SELECT seg.cpr, seg.forvaltning,
             CASE seg.enhed WHEN 'time' THEN 1 WHEN 'dag' THEN 1 WHEN 'uge' THEN 1 WHEN 'maaned' THEN 12 WHEN 'aar' THEN 1 END AS num,
             CASE seg.enhed WHEN 'time' THEN 7 WHEN 'dag' THEN 1 WHEN 'uge' THEN 7 WHEN 'maaned' THEN 365 WHEN 'aar' THEN 365 END AS den,
             CAST(seg.volume_milli AS HUGEINT) * p.price_ore * (datediff('day', sa, sb) + 1) AS vpd
      FROM seg ASOF JOIN prices p ON seg.ydelse = p.ydelse AND seg.y >= p.y;
    CREATE TABLE act_cost AS
      SELECT cpr, forvaltning,
             CAST((2 * vpd * num + den * 1000) // (2 * den * 1000) AS BIGINT) AS cost
      FROM act;
    CREATE TABLE alloc AS
      SELECT p.cpr, p.familie_id,
             coalesce(b.amt, 0) + coalesce(a.cost, 0) AS cost
      FROM persons p
      LEFT JOIN booked b ON b.cpr = p.cpr
      LEFT JOIN (SELECT cpr, sum(cost) AS cost FROM act_cost GROUP BY cpr) a ON a.cpr = p.cpr;
    """)

    def one(sql):
        return con.execute(sql).fetchone()

    cost_total, = one("SELECT coalesce(sum(amount_ore), 0) FROM per")
    booked_total, = one("SELECT coalesce(sum(amt), 0) FROM booked")
    activity_total, = one("SELECT coalesce(sum(cost), 0) FROM act_cost")
    citizens, = one("SELECT count(*) FROM persons")
    families, = one("SELECT count(DISTINCT familie_id) FROM persons")
    allocated = booked_total + activity_total

    def concentration(table):
        n, total = one(f"SELECT count(*), sum(cost) FROM {table}")
        out = {}
        for k in (1, 3, 5, 10):
            top, = one(f"""SELECT sum(cost) FROM (SELECT cost FROM {table} ORDER BY cost DESC
                           LIMIT CAST(ceil({k} * {n} / 100.0) AS BIGINT))""")
            out[f"top{k}"] = float(top) / float(total) if total else 0.0
        s_ix, = one(f"""SELECT sum(CAST(i AS HUGEINT) * cost) FROM
                        (SELECT cost, row_number() OVER (ORDER BY cost ASC) AS i FROM {table})""")
        out["gini"] = 2.0 * float(s_ix) / (n * float(total)) - (n + 1) / n if total else 0.0
        return out

    con.execute("CREATE TABLE fam AS SELECT familie_id, sum(cost) AS cost FROM alloc GROUP BY familie_id")
    conc_c = concentration("alloc")
    conc_f = concentration("fam")

    # Complexity: the maximum over days of the number of distinct departments (services) with a
    # spell covering that day. Merge each key's intervals into islands, then count, at every
    # island start, the islands covering it. Both windows order by (a, b, rid): without the unique
    # row id, two spells with equal (a, b) could be ordered differently by the two windows and
    # glue a spell to the wrong island (seen as a one-citizen difference from run to run).
    def max_concurrency(key):
        con.execute(f"""
        CREATE OR REPLACE TABLE isl AS
        WITH x AS (
          SELECT cpr, {key} AS k, a, b,
                 max(b) OVER (PARTITION BY cpr, {key} ORDER BY a, b, rid
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_b, rid
          FROM sp),
        y AS (
          SELECT *, sum(CASE WHEN prev_b IS NULL OR a > prev_b THEN 1 ELSE 0 END)
                    OVER (PARTITION BY cpr, k ORDER BY a, b, rid ROWS UNBOUNDED PRECEDING) AS g
          FROM x)
        SELECT cpr, k, min(a) AS a, max(b) AS b FROM y GROUP BY cpr, k, g;
        CREATE OR REPLACE TABLE conc_{key} AS
        SELECT cpr, max(c) AS c FROM (
          SELECT i1.cpr, i1.k, i1.a, count(*) AS c
          FROM isl i1 JOIN isl i2 ON i1.cpr = i2.cpr AND i2.a <= i1.a AND i1.a <= i2.b
          GROUP BY i1.cpr, i1.k, i1.a)
        GROUP BY cpr;
        """)

    max_concurrency("forvaltning")
    max_concurrency("ydelse")

    def complexity(table, threshold):
        n, c = one(f"""SELECT count(*), coalesce(sum(al.cost), 0) FROM {table} t
                       JOIN alloc al ON al.cpr = t.cpr WHERE t.c >= {threshold}""")
        return {"citizens": n, "cost_ore": int(c)}

    summary = {
        "period": {"from": args.from_, "to": args.to},
        "citizens": citizens,
        "families": families,
        "cost_total_ore": int(cost_total),
        "cost_allocated_ore": int(allocated),
        "cost_booked_ore": int(booked_total),
        "cost_activity_ore": int(activity_total),
        "coverage": {
            "booked_share": booked_total / cost_total if cost_total else 0.0,
            "activity_share": activity_total / cost_total if cost_total else 0.0,
            "unallocated_share": (cost_total - allocated) / cost_total if cost_total else 0.0,
        },
        "concentration": {"citizens": conc_c, "families": conc_f},
        "complexity": {
            "departments_2plus": complexity("conc_forvaltning", 2),
            "departments_3plus": complexity("conc_forvaltning", 3),
            "departments_4plus": complexity("conc_forvaltning", 4),
            "services_7plus": complexity("conc_ydelse", 7),
        },
    }
    t_end = time.perf_counter()
    summary["timing_seconds"] = {"read": t_read - t0, "compute": t_end - t_read, "total": t_end - t0}
    if args.rules_sql:
        rules_and_discovery(con, args, P_FROM, P_TO, summary)
    summary["duckdb_version"] = duckdb.__version__
    json.dump(summary, sys.stdout, indent=2)
    print()


def rules_and_discovery(con, args, P_FROM, P_TO, summary):
    """Runs the rule and discovery queries of --rules-sql; adds "rules" and "discovery"."""
    with open(args.rules_sql, encoding="utf-8") as fh:
        spec = json.load(fh)
    period = spec.get("period")
    if period and (period["from"], period["to"]) != (args.from_, args.to):
        sys.exit(f"duckdb_peer.py: {args.rules_sql} was written for the period "
                 f"{period['from']}..{period['to']}, not {args.from_}..{args.to}")
    t0 = time.perf_counter()
    # Spells clipped to the period with what rules select on. Tags as the importer reads them:
    # split at '|', trimmed, empty ones dropped.
    con.execute(f"""
    CREATE OR REPLACE TABLE rsp AS
      SELECT s.cpr, s.ydelse,
             greatest(s.s, {P_FROM}) AS a, least(coalesce(s.e, {P_TO}), {P_TO}) AS b,
             lower(trim(c.forvaltning)) AS forvaltning,
             CASE lower(trim(c.art)) WHEN 'transfer_income' THEN 'ydelse'
                                     WHEN 'intervention' THEN 'indsats'
                                     ELSE lower(trim(c.art)) END AS art,
             list_filter(list_transform(string_split(coalesce(c.kategorier, ''), '|'), lambda x: trim(x)),
                         lambda x: x <> '') AS tags,
             s.kontaktperson
      FROM spells s JOIN catalogue c ON s.ydelse = c.kode
      WHERE greatest(s.s, {P_FROM}) <= least(coalesce(s.e, {P_TO}), {P_TO});
    """)
    rules = {}
    for q in spec["queries"]:
        n, = con.execute(f"SELECT count(*) FROM ({q['persons_sql']})").fetchone()
        m = None
        if q.get("families_sql"):
            m, = con.execute(f"SELECT count(*) FROM ({q['families_sql']})").fetchone()
        rules[q["rule_id"]] = {"persons": n, "families": m}
    t1 = time.perf_counter()
    rows = con.execute(f"""
      SELECT services, support, cost_ore FROM ({spec['discovery_sql']})
      ORDER BY cost_ore DESC, support DESC, services""").fetchall()
    t2 = time.perf_counter()
    summary["rules"] = rules
    summary["discovery"] = {
        "min_support": spec.get("min_support"),
        "max_size": spec.get("max_size"),
        "combinations": len(rows),
        "top": [{"services": sorted(sv), "support": int(n), "cost_ore": int(c)}
                for sv, n, c in rows[:50]],
    }
    summary["timing_seconds"]["rules"] = t1 - t0
    summary["timing_seconds"]["discovery"] = t2 - t1


if __name__ == "__main__":
    main()
