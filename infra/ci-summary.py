#!/usr/bin/env python3
"""Counts test outcomes from the TRX files under a folder and prints 'N passed, M failed, K skipped' last.

CI reads dotnet test by exit code only, so this makes a run that executed no test visible. Skipped tests are
listed with their reasons. Exit code: 0 when at least one test passed and none failed, else 1.
"""
import glob
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def main(folder: str) -> int:
    passed = failed = skipped = 0
    reasons = []
    files = sorted(glob.glob(f"{folder}/**/*.trx", recursive=True))
    for path in files:
        root = ET.parse(path).getroot()
        for result in root.iterfind(".//t:UnitTestResult", NS):
            outcome = result.get("outcome", "")
            if outcome == "Passed":
                passed += 1
            elif outcome in ("Failed", "Error", "Timeout", "Aborted"):
                failed += 1
            else:
                skipped += 1
                message = result.find(".//t:Output/t:ErrorInfo/t:Message", NS)
                reasons.append(f"  skipped: {result.get('testName')}: {(message.text or '').strip() if message is not None else outcome}")
    print(f"{len(files)} result file(s) read from {folder}")
    for line in reasons:
        print(line)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if passed > 0 and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "TestResults"))
