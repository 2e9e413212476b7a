"""The project's date and number formats where Django's own differ from the newsroom's.

Only English is overridden: dates read "5 January 2012", the way the rest of the site
(`sources.dates.PartialDate.display`) writes them. Chinese keeps Django's formats
(2012年1月5日).
"""
