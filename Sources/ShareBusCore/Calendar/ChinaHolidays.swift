/// China's public holidays and adjusted working days, in the text format that
/// `WorkingDayCalendar` reads (and that `WorkingDayCalendar(adding:)` merges from a file).
///
/// Each year names its source. When the State Council publishes a year's notice (usually in
/// November of the year before), replace that year's block with the notice's dates and source.
enum ChinaHolidays {
    static let data = """
        # 2026: the State Council notice, published 2025-11-04.
        source 2026 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）
        2026-01-01..2026-01-03 holiday 元旦
        2026-01-04 workday 元旦调休
        2026-02-14 workday 春节调休
        2026-02-15..2026-02-23 holiday 春节
        2026-02-28 workday 春节调休
        2026-04-04..2026-04-06 holiday 清明节
        2026-05-01..2026-05-05 holiday 劳动节
        2026-05-09 workday 劳动节调休
        2026-06-19..2026-06-21 holiday 端午节
        2026-09-20 workday 国庆节调休
        2026-09-25..2026-09-27 holiday 中秋节
        2026-10-01..2026-10-07 holiday 国庆节
        2026-10-10 workday 国庆节调休

        # 2027: DERIVED, not yet published. Built from 《全国年节及纪念日放假办法》 as revised by the
        # State Council in November 2024 (in force 2025-01-01: 元旦 1 day, 春节 4 days from 除夕, 清明 1, 劳动节 2,
        # 端午 1, 中秋 1, 国庆 3) and the customary arrangement: a statutory day on a weekend is
        # made up on the next working day (补休); 春节 runs 8 days from 除夕, 劳动节 5 days and
        # 国庆 7 days by swapping weekdays with adjacent weekend days, keeping runs of working days
        # to 6 or fewer; a 1-day festival on a Wednesday is that day alone.
        # Replace with the State Council notice for 2027 when it is published.
        source 2027 derived from the 2024 revised national holiday rules; replace with the State Council notice for 2027 when published
        # 元旦 Fri 1 Jan, with the weekend.
        2027-01-01..2027-01-03 holiday 元旦
        # 春节: 除夕 Fri 5 Feb, 初一-初三 6-8 Feb; 6-7 Feb fall on the weekend and are made up on
        # 9-10 Feb; 11-12 Feb are swapped with Sun 31 Jan and Sat 20 Feb.
        2027-01-31 workday 春节调休
        2027-02-05..2027-02-12 holiday 春节
        2027-02-20 workday 春节调休
        # 清明 Mon 5 Apr, with the weekend before.
        2027-04-03..2027-04-05 holiday 清明节
        # 劳动节 Sat 1 - Sun 2 May, made up on 3-4 May; 5 May swapped with Sat 8 May.
        2027-05-01..2027-05-05 holiday 劳动节
        2027-05-08 workday 劳动节调休
        # 端午 and 中秋 fall on Wednesdays (9 Jun, 15 Sep).
        2027-06-09 holiday 端午节
        2027-09-15 holiday 中秋节
        # 国庆 Fri 1 - Sun 3 Oct, made up on 4-5 Oct; 6-7 Oct swapped with Sun 26 Sep and Sat 9 Oct.
        2027-09-26 workday 国庆节调休
        2027-10-01..2027-10-07 holiday 国庆节
        2027-10-09 workday 国庆节调休
        """
}
