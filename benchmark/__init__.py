"""Reproducibility benchmark for Reyaldi, Fachrurrozi, Rizqie, "Additive Angular
Margin Loss for Masked-Face Image Recognition".

Pipeline, one module per stage: scenarios -> data -> arcface/models -> runner
-> results -> compare -> report (and pytest_plugin for --paper-tolerance).
"""

__version__ = "0.1.0"
