# load.R - load a sortes CSV export with R's read.csv, as an evaluator
# would, and compare every value with the database's.
#
#   Rscript load.R EXPORT COLUMNS VALUES
#
# COLUMNS is the data dictionary's columns as CSV (name, base, required:
# base R reads no JSON, so the test extracts them with sqlite3); VALUES
# the database's rows in long form (row from 0, name, value, missing),
# booleans as TRUE/FALSE and dates and times as text.  The export is read
# with the missing-value convention of docs/export-allocations.md
# (na.strings = ""), each column converted as its datatype says.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) {
  cat("usage: Rscript load.R EXPORT COLUMNS VALUES\n", file = stderr())
  quit(status = 64)
}
columns <- read.csv(args[2], colClasses = "character", na.strings = NULL)
values <- read.csv(args[3], colClasses = "character", na.strings = NULL,
                   encoding = "UTF-8")

classes <- c(string = "character", integer = "integer", boolean = "logical",
             date = "character", datetime = "character")
base <- columns$base
names(base) <- columns$name
if (!all(base %in% names(classes))) {
  cat("load.R: a datatype unknown here\n", file = stderr())
  quit(status = 1)
}
export <- read.csv(args[1], na.strings = "", check.names = FALSE,
                   colClasses = unname(classes[base]), encoding = "UTF-8")

fail <- function(...) {
  cat("load.R: ", args[1], ": ", ..., "\n", sep = "", file = stderr())
  quit(status = 1)
}
if (!identical(names(export), columns$name))
  fail("the header is not the dictionary's columns")
for (n in columns$name) {
  if (base[[n]] == "date")
    export[[n]] <- as.Date(export[[n]], format = "%Y-%m-%d")
  if (base[[n]] == "datetime")
    export[[n]] <- as.POSIXct(export[[n]], format = "%Y-%m-%dT%H:%M:%SZ",
                              tz = "UTC")
}
if (nrow(export) * ncol(export) != nrow(values))
  fail(nrow(export), " rows of ", ncol(export), " columns, but the database ",
       "has ", nrow(values), " values")

for (i in seq_len(nrow(values))) {
  r <- as.integer(values$row[i]) + 1
  n <- values$name[i]
  got <- export[[n]][r]
  if (values$missing[i] == "1") {
    if (!is.na(got)) fail("row ", r, ", column ", n, ": not missing")
    next
  }
  v <- values$value[i]
  want <- switch(base[[n]],
                 string = v,
                 integer = as.integer(v),
                 boolean = v == "TRUE",
                 date = as.Date(v, format = "%Y-%m-%d"),
                 datetime = as.POSIXct(v, format = "%Y-%m-%dT%H:%M:%SZ",
                                       tz = "UTC"))
  if (is.na(got) || !identical(class(got), class(want)) || got != want)
    fail("row ", r, ", column ", n, ": loaded ", format(got),
         ", the database has ", format(want))
}
cat("ok: ", args[1], ": ", nrow(export), " rows of ", ncol(export),
    " columns, every value as the database's\n", sep = "")
