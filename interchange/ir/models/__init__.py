"""Model families other than trees and ensembles, one module per family (and its figures)."""
