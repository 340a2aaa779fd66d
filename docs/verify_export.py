"""Check a JSON Lines export of the ketnap transition log with Python's standard library alone.

Usage: python3 verify_export.py EXPORT.jsonl  — exit 0 when every dossier's chain holds, 1 otherwise.
The chain is described in docs/audit-chain.md: each entry's hash is SHA-256 of the previous hash,
a new line, and the canonical JSON of its hashed fields; a dossier's first entry follows GENESIS.
"""

import hashlib
import json
import sys

GENESIS = "0" * 64
HASHED = ("dossier_id", "seq", "actor_id", "actor_name", "at", "act_date", "from_state", "to_state", "trigger", "facts",
          "rule_results")


def verify(path: str) -> int:
    chains: dict[int, tuple[int, str] | None] = {}  # dossier -> (next seq, previous hash); None once broken
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            entry = json.loads(line)
            dossier = entry["dossier_id"]
            if dossier in chains and chains[dossier] is None:
                continue  # its first break is reported already
            expected, previous = chains.get(dossier) or (1, GENESIS)
            fields = {name: entry[name] for name in HASHED}
            canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()
            problem = ("sequence" if entry["seq"] != expected else "link to the previous entry" if entry["prev_hash"] != previous
                       else "content" if digest != entry["hash"] else None)
            if problem:
                print(f"dossier {dossier}, entry {expected} (line {number}): {problem} does not match")
            chains[dossier] = None if problem else (expected + 1, entry["hash"])
    broken = sum(state is None for state in chains.values())
    print(f"{len(chains)} dossiers, {broken} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(verify(sys.argv[1]))
