module headerload

go 1.19
