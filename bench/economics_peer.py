#!/usr/bin/env python3
"""An independent calculation of a Tværs scenario file (docs/scenarios.md), in DuckDB SQL.

Written from the rules in docs/scenarios.md ("How the figures are computed"), not from the Rust
code: the package after the changes is built here from the file, the yearly flows, discounting,
net present value, payback year and the sensitivity table are SQL over integer øre (HUGEINT).
Prints one JSON object; crates/economics/tests/peer_agreement.rs compares it with
`tvaers_economics::potential` to the øre.

Usage: economics_peer.py SCENARIO.toml
"""

import json
import sys
import tomllib

import duckdb


def money(v):
    """Whole kroner (int) or a Danish string with a decimal comma, as øre."""
    if isinstance(v, int):
        return v * 100
    t = v.strip().replace(".", "").replace(" ", "")
    whole, _, frac = t.partition(",")
    return int(whole or "0") * 100 + int((frac + "00")[:2])


def percent_bp(v):
    if isinstance(v, int):
        return v * 100
    if isinstance(v, float):
        return round(v * 100)
    whole, _, frac = v.strip().replace(",", ".").partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def line(s):
    if "kr_per_year" in s:
        yearly = money(s["kr_per_year"])
    else:
        yearly = s["quantity"] * money(s["unit_price_kr"])
    return {"code": s["code"], "dept": s["department"], "kind": s["kind"], "yearly": yearly}


def main(path):
    with open(path, "rb") as f:
        sc = tomllib.load(f)
    persons = sc.get("persons", 1)
    horizon = sc["horizon_years"]
    rate = percent_bp(sc["discount_rate_percent"])
    before = [line(s) for s in sc["service"]]
    # The package after: changes in file order; `added` marks a replacement (a redesign cost).
    after = [dict(l, added=False) for l in before]
    for ch in sc.get("change", []):
        codes = set(ch["services"])
        if ch["action"] in ("remove", "replace"):
            after = [l for l in after if l["code"] not in codes]
            if ch["action"] == "replace":
                after.append(dict(line(ch["with"]), added=True))
        else:
            factor = percent_bp(ch["percent"])
            for l in after:
                if l["code"] in codes:
                    l["yearly"] = round_div(l["yearly"] * factor, 10000)
    eff = sc.get("effect")
    costs = sc.get("cost", [])

    db = duckdb.connect()
    db.execute("CREATE TABLE before_pkg (code TEXT, dept TEXT, kind TEXT, yearly HUGEINT)")
    db.execute("CREATE TABLE after_pkg (code TEXT, dept TEXT, yearly HUGEINT, added BOOLEAN)")
    db.execute("CREATE TABLE costs (dept TEXT, one_off BOOLEAN, amount HUGEINT)")
    db.executemany("INSERT INTO before_pkg VALUES (?, ?, ?, ?)",
                   [(l["code"], l["dept"], l["kind"], l["yearly"]) for l in before])
    db.executemany("INSERT INTO after_pkg VALUES (?, ?, ?, ?)",
                   [(l["code"], l["dept"], l["yearly"], l["added"]) for l in after])
    if costs:
        db.executemany("INSERT INTO costs VALUES (?, ?, ?)",
                       [(c["department"], c["kind"] in ("engang", "one_off"), money(c["kr"]))
                        for c in costs])
    db.execute("CREATE MACRO rdiv(n, d) AS sign(n) * ((abs(n) * 2 + d) // (2 * d))")

    def run(effect_pct, cost_pct):
        p = {
            "persons": persons, "horizon": horizon, "rate": rate,
            "ef": effect_pct, "cf": cost_pct,
            "share": percent_bp(eff["step_share_percent"]) if eff else 0,
            "saving": money(eff["saving_per_step_kr"]) if eff else 0,
            "edept": eff.get("department", "beskaeftigelse") if eff else "",
            "first": eff.get("first_year", 1) if eff else 1,
        }
        return db.execute("""
            WITH RECURSIVE
            years AS (SELECT range::INTEGER AS y FROM range(1, $horizon + 1)),
            depts AS (SELECT dept FROM before_pkg UNION SELECT dept FROM after_pkg
                      UNION SELECT dept FROM costs),
            b AS (SELECT dept, sum(yearly) * $persons::HUGEINT AS v FROM before_pkg GROUP BY dept),
            a AS (SELECT dept, sum(CASE WHEN added THEN rdiv(yearly * $cf::HUGEINT, 100) ELSE yearly END)
                               * $persons::HUGEINT AS v FROM after_pkg GROUP BY dept),
            c AS (SELECT y, dept, sum(rdiv(amount * $cf::HUGEINT, 100)) AS v FROM costs, years
                  WHERE NOT one_off OR y = 1 GROUP BY y, dept),
            tr AS (SELECT coalesce(sum(yearly), 0) * $persons::HUGEINT AS v FROM before_pkg
                   WHERE kind = 'ydelse' AND dept = $edept),
            e AS (SELECT y, CASE WHEN y > $first THEN least(
                      rdiv($persons::HUGEINT * $saving::HUGEINT * $share::HUGEINT * $ef::HUGEINT * (y - $first)::HUGEINT, 1000000),
                      (SELECT v FROM tr)) ELSE 0 END AS v FROM years),
            flows AS (
                SELECT years.y, depts.dept, coalesce(b.v, 0) AS before,
                       coalesce(a.v, 0) + coalesce(c.v, 0)
                         - CASE WHEN depts.dept = $edept THEN e.v ELSE 0 END AS after
                FROM years CROSS JOIN depts
                LEFT JOIN b ON b.dept = depts.dept
                LEFT JOIN a ON a.dept = depts.dept
                LEFT JOIN c ON c.y = years.y AND c.dept = depts.dept
                JOIN e ON e.y = years.y),
            disc(y, f) AS (
                SELECT 0, 1000000000000000000::HUGEINT
                UNION ALL
                SELECT y + 1, rdiv(f * 10000, 10000 + $rate::HUGEINT) FROM disc WHERE y < $horizon),
            yearly AS (
                SELECT y, sum(before) AS before, sum(after) AS after,
                       sum(before) - sum(after) AS net FROM flows GROUP BY y)
            SELECT yearly.y, before, after, net,
                   sum(net) OVER (ORDER BY yearly.y) AS cum,
                   rdiv(net * disc.f, 1000000000000000000) AS pv
            FROM yearly JOIN disc ON disc.y = yearly.y ORDER BY yearly.y
        """, p).fetchall()

    rows = run(100, 100)
    result = {
        "before_per_person": sum(l["yearly"] for l in before),
        "after_per_person": sum(l["yearly"] for l in after),
        "years": [{"year": y, "before": int(b), "after": int(a), "net": int(n),
                   "cumulative_net": int(c), "present_value": int(pv)}
                  for (y, b, a, n, c, pv) in rows],
        "npv": int(sum(r[5] for r in rows)),
        "payback_year": next((r[0] for r in rows if r[4] >= 0), None),
        "sensitivity": [],
    }
    for ef in (50, 100, 150):
        for cf in (50, 100, 150):
            rows = run(ef, cf)
            result["sensitivity"].append({
                "effect_percent": ef, "cost_percent": cf,
                "npv": int(sum(r[5] for r in rows)),
                "payback_year": next((r[0] for r in rows if r[4] >= 0), None),
            })
    json.dump(result, sys.stdout)


def round_div(n, d):
    q = (abs(n) * 2 + d) // (2 * d)
    return q if n >= 0 else -q


if __name__ == "__main__":
    main(sys.argv[1])
