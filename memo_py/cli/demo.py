"""``memo proof-demo``: the proof engine alone at work on a sample file (``memo devnet demo``
runs the whole network)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from memo_py.cores import usable_cores
from memo_py.crypto import challenge
from memo_py.crypto import demo as engine

__all__ = ["demo"]


@click.command("proof-demo")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Run on this file instead of generated sample data.")
@click.option("--size", "size_mib", type=click.FloatRange(min=0, min_open=True), default=4.0, show_default=True,
              help="Size of the generated sample, in MiB.")
@click.option("--sample", "sample_size", type=click.IntRange(min=1), default=challenge.DEFAULT_SAMPLE_SIZE, show_default=True,
              help="Blobs challenged per epoch.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes for commitments (default: every core).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def demo(path: Path | None, size_mib: float, sample_size: int, workers: int | None, as_json: bool) -> None:
    """The proof engine at work on a sample file.

    Packs the file into blobs, commits them on every core, batch-checks the
    commitments, answers an epoch challenge with one aggregated KZG proof,
    verifies it, shows that a tampered blob fails, and unpacks the file again.
    """
    data = path.read_bytes() if path is not None else engine.sample_data(int(size_mib * 2**20))
    console = Console(stderr=as_json)
    source = str(path) if path is not None else f"{len(data):,} random bytes (fixed seed)"
    if not as_json:
        console.print(f"[bold]MEMO proof engine[/bold] on {source}, {workers or usable_cores()} cores")

    def live(step: engine.Step) -> None:
        if not as_json:
            mark = "[green]ok[/green]" if step.ok else "[red]FAIL[/red]"
            console.print(f"  {mark} {step.name:<22} {step.ms:>9.1f} ms  {step.detail}")

    report = engine.run(data, sample_size=sample_size, workers=workers, on_step=live)

    if as_json:
        click.echo(json.dumps(report.as_dict()))
    else:
        table = Table(title="Summary", show_header=False)
        table.add_column(style="bold")
        table.add_column(justify="right")
        f = report.figures
        table.add_row("blobs", f"{report.blob_count} ({report.file_bytes:,} B)")
        table.add_row("commit", f"{f['commit_ms_per_blob']} ms/blob, {f['commit_mib_s']} MiB/s")
        table.add_row("batch check", f"{f['batch_check_ms']} ms for {report.blob_count} blobs")
        table.add_row("proof", f"{f['proof_bytes']} B, {f['prove_ms']} ms to prove, {f['verify_ms']} ms to verify")
        table.add_row("result", "[green]all checks passed[/green]" if report.ok else "[red]a check failed[/red]")
        console.print(table)
    if not report.ok:
        sys.exit(1)
